#!/usr/bin/env python3
"""Walks one real volume through its life through Mooring's two CSI plugins, as Kubernetes'
sidecars and kubelet would drive them, printing each step:

  CreateVolume → ControllerPublishVolume (attach) → NodeStageVolume (format + mount) →
  NodePublishVolume → write → ControllerExpandVolume + NodeExpandVolume → NodeUnpublishVolume →
  NodeUnstageVolume → ControllerUnpublishVolume (detach) → DeleteVolume

    hack/dev/demo-volume.py --controller-socket /tmp/mooring/controller.sock \\
        --node-socket /tmp/mooring/node.sock [--fs-type ext4|xfs] [--size-gb N] [--work-dir DIR]

csi-node must find attached disks where the cloud puts them (with the local cloud:
`csi-node --device-dir DIR` and `localcloud --real-devices --device-dir DIR`). Needs root (the
node mounts into --work-dir). Exits non-zero, after cleaning up what it made, when a step fails.
"""
import argparse
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from csi_stubs import compile_csi_stubs  # noqa: E402

GiB = 2**30


def step(text):
    print(f"\033[1m==> {text}\033[0m", flush=True)


def detail(text):
    print(f"    {text}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--controller-socket", required=True, help="csi-controller's Unix socket path")
    parser.add_argument("--node-socket", required=True, help="csi-node's Unix socket path")
    parser.add_argument("--fs-type", default="ext4", choices=["ext4", "xfs"])
    parser.add_argument("--size-gb", type=int, default=10)
    parser.add_argument("--work-dir", help="where staging and target paths go (default: a temp dir)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: csi-node mounts into the work directory")

    import grpc
    pb, pb_grpc = compile_csi_stubs()
    controller_channel = grpc.insecure_channel(f"unix://{args.controller_socket}")
    node_channel = grpc.insecure_channel(f"unix://{args.node_socket}")
    controller = pb_grpc.ControllerStub(controller_channel)
    node = pb_grpc.NodeStub(node_channel)

    info = node.NodeGetInfo(pb.NodeGetInfoRequest(), timeout=10)
    detail(f"csi-node is instance {info.node_id} in {dict(info.accessible_topology.segments)}, "
           f"max {info.max_volumes_per_node} volumes")

    work = pathlib.Path(args.work_dir or tempfile.mkdtemp(prefix="mooring-demo-"))
    staging, target = work / "staging", work / "pod" / "volume"
    capability = pb.VolumeCapability(
        mount=pb.VolumeCapability.MountVolume(fs_type=args.fs_type, mount_flags=["noatime"]),
        access_mode=pb.VolumeCapability.AccessMode(mode=pb.VolumeCapability.AccessMode.SINGLE_NODE_WRITER))
    volume = None
    context = {}
    attached = staged = published = False

    def stage_and_publish():
        nonlocal staged, published
        node.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=volume.volume_id, publish_context=context,
                                                       staging_target_path=str(staging), volume_capability=capability),
                             timeout=300)
        staged = True
        node.NodePublishVolume(pb.NodePublishVolumeRequest(volume_id=volume.volume_id, publish_context=context,
                                                           staging_target_path=str(staging), target_path=str(target),
                                                           volume_capability=capability), timeout=120)
        published = True

    def unpublish_and_unstage():
        nonlocal staged, published
        if published:
            node.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=volume.volume_id, target_path=str(target)),
                                     timeout=120)
            published = False
        if staged:
            node.NodeUnstageVolume(pb.NodeUnstageVolumeRequest(volume_id=volume.volume_id,
                                                               staging_target_path=str(staging)), timeout=120)
            staged = False

    try:
        name = f"mooring-demo-{int(time.time())}"
        step(f"CreateVolume {name}: {args.size_gb} GiB where the node is")
        volume = controller.CreateVolume(pb.CreateVolumeRequest(
            name=name, capacity_range=pb.CapacityRange(required_bytes=args.size_gb * GiB),
            volume_capabilities=[capability],
            accessibility_requirements=pb.TopologyRequirement(requisite=[info.accessible_topology],
                                                              preferred=[info.accessible_topology])),
            timeout=300).volume
        detail(f"volume {volume.volume_id}, {volume.capacity_bytes / GiB:.0f} GiB, "
               f"topology {[dict(t.segments) for t in volume.accessible_topology]}")

        step(f"ControllerPublishVolume: attach to instance {info.node_id}")
        context = dict(controller.ControllerPublishVolume(pb.ControllerPublishVolumeRequest(
            volume_id=volume.volume_id, node_id=info.node_id, volume_capability=capability), timeout=300).publish_context)
        attached = True
        detail(f"publish_context {context}")

        step(f"NodeStageVolume + NodePublishVolume: format as {args.fs_type}, mount at {staging}, "
             f"bind-mount into {target}")
        stage_and_publish()

        step("write a file into the volume")
        (target / "hello.txt").write_text("hello from mooring\n")
        detail(f"{target / 'hello.txt'}: {(target / 'hello.txt').read_text().strip()!r}")
        show_usage(pb, node, volume.volume_id, target)

        bigger = args.size_gb + 2
        step(f"ControllerExpandVolume to {bigger} GiB, then NodeExpandVolume online")
        expanded = controller.ControllerExpandVolume(pb.ControllerExpandVolumeRequest(
            volume_id=volume.volume_id, capacity_range=pb.CapacityRange(required_bytes=bigger * GiB),
            volume_capability=capability), timeout=300)
        detail(f"cloud volume is {expanded.capacity_bytes / GiB:.0f} GiB; node expansion required: "
               f"{expanded.node_expansion_required}")
        try:
            grown = node.NodeExpandVolume(pb.NodeExpandVolumeRequest(
                volume_id=volume.volume_id, volume_path=str(target),
                capacity_range=pb.CapacityRange(required_bytes=bigger * GiB), volume_capability=capability), timeout=300)
            detail(f"filesystem grown online to {grown.capacity_bytes / GiB:.1f} GiB")
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            # ext4 without CAP_SYS_RESOURCE: the node grows it offline when it is staged again.
            detail(f"online growth refused: {error.details()}")
            step("unpublish + unstage, then stage and publish again (the node grows the filesystem offline)")
            unpublish_and_unstage()
            stage_and_publish()
            detail(f"{target / 'hello.txt'}: {(target / 'hello.txt').read_text().strip()!r}")
        show_usage(pb, node, volume.volume_id, target)
    finally:
        if volume is not None:
            if published or staged:
                step("NodeUnpublishVolume + NodeUnstageVolume")
                unpublish_and_unstage()
                detail(f"{target} exists: {target.exists()}")
            if attached:
                step("ControllerUnpublishVolume: detach")
                controller.ControllerUnpublishVolume(pb.ControllerUnpublishVolumeRequest(
                    volume_id=volume.volume_id, node_id=info.node_id), timeout=300)
            step("DeleteVolume")
            controller.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id), timeout=300)
        controller_channel.close()
        node_channel.close()
        if not args.work_dir:
            remove_empty_dirs(work)
    step("done")


def remove_empty_dirs(root):
    """Removes the demo's directories bottom-up, only where empty: never deletes volume data."""
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        try:
            directory.rmdir()
        except OSError:
            pass
    try:
        root.rmdir()
    except OSError:
        detail(f"left {root} in place (not empty)")


def show_usage(pb, node, volume_id, path):
    stats = node.NodeGetVolumeStats(pb.NodeGetVolumeStatsRequest(volume_id=volume_id, volume_path=str(path)), timeout=30)
    for usage in stats.usage:
        unit = pb.VolumeUsage.Unit.Name(usage.unit).lower()
        if unit == "bytes":
            detail(f"bytes: total {usage.total / GiB:.2f} GiB, used {usage.used / GiB:.2f} GiB, "
                   f"available {usage.available / GiB:.2f} GiB")
        else:
            detail(f"{unit}: total {usage.total}, used {usage.used}, available {usage.available}")
    detail(f"condition: {'abnormal: ' + stats.volume_condition.message if stats.volume_condition.abnormal else 'normal'}")


if __name__ == "__main__":
    main()
