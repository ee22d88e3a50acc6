#!/usr/bin/env python3
"""Walks one real volume through its life on the local cloud and a running csi-node, printing each
step: create (cloud API) → attach (cloud API) → NodeStage (formats) → NodePublish → write → expand
(cloud API resize + NodeExpandVolume) → NodeUnpublish → NodeUnstage → detach → delete.

    hack/demo-volume.py --api-url http://127.0.0.1:8080 --node-socket /tmp/mooring/node.sock \\
        [--instance-id ID] [--fs-type ext4|xfs] [--work-dir DIR]

csi-node must find attached disks where localcloud puts them (`csi-node --device-dir DIR` with
`localcloud --real-devices --device-dir DIR`) and run as the instance (--node-id, or
--metadata-url URL/v1.json?instance_id=ID). The API key comes from VULTR_API_KEY or
--api-key-file. The node's instance is --instance-id, else the first instance in the cloud. Needs
root (the node mounts into --work-dir). Exits non-zero, after cleaning up what it made, when a
step fails.
"""
import argparse
import json
import os
import pathlib
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from csi_stubs import compile_csi_stubs  # noqa: E402

GiB = 2**30


def step(text):
    print(f"\033[1m==> {text}\033[0m", flush=True)


def detail(text):
    print(f"    {text}", flush=True)


class Cloud:
    def __init__(self, url, key):
        self.url, self.key = url.rstrip("/"), key

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {self.key}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{method} {path} failed: {error.code} {error.read().decode(errors='replace')}")
        return json.loads(text) if text else None

    def wait(self, path, key, field, value, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            obj = self.call("GET", path)[key]
            if obj[field] == value:
                return obj
            time.sleep(0.2)
        raise SystemExit(f"{path}: {field} did not become {value} within {timeout}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--api-key-file")
    parser.add_argument("--node-socket", required=True, help="csi-node's Unix socket path")
    parser.add_argument("--instance-id", help="the instance csi-node runs as (default: the first instance)")
    parser.add_argument("--region", default=None, help="region for the volume (default: the instance's)")
    parser.add_argument("--fs-type", default="ext4", choices=["ext4", "xfs"])
    parser.add_argument("--size-gb", type=int, default=10)
    parser.add_argument("--work-dir", help="where staging and target paths go (default: a temp dir)")
    args = parser.parse_args()

    key = open(args.api_key_file).read().strip() if args.api_key_file else os.environ.get("VULTR_API_KEY", "")
    if not key:
        raise SystemExit("no API key: set VULTR_API_KEY or pass --api-key-file")
    if os.geteuid() != 0:
        raise SystemExit("run as root: csi-node mounts into the work directory")

    import grpc
    pb, pb_grpc = compile_csi_stubs()
    cloud = Cloud(args.api_url, key)
    channel = grpc.insecure_channel(f"unix://{args.node_socket}")
    node = pb_grpc.NodeStub(channel)

    instances = cloud.call("GET", "/v2/instances")["instances"]
    instance = next((i for i in instances if i["id"] == args.instance_id), None) if args.instance_id else \
        (instances[0] if instances else None)
    if instance is None:
        raise SystemExit("no such instance: create one with POST /v2/instances, or pass --instance-id")
    region = args.region or instance["region"]
    info = node.NodeGetInfo(pb.NodeGetInfoRequest(), timeout=10)
    detail(f"csi-node is {info.node_id} in {dict(info.accessible_topology.segments)}, "
           f"max {info.max_volumes_per_node} volumes")
    if info.node_id != instance["id"]:
        detail(f"note: csi-node's id {info.node_id} is not instance {instance['id']}")

    work = pathlib.Path(args.work_dir or tempfile.mkdtemp(prefix="mooring-demo-"))
    staging, target = work / "staging", work / "pod" / "volume"
    capability = pb.VolumeCapability(
        mount=pb.VolumeCapability.MountVolume(fs_type=args.fs_type, mount_flags=["noatime"]),
        access_mode=pb.VolumeCapability.AccessMode(mode=pb.VolumeCapability.AccessMode.SINGLE_NODE_WRITER))
    block = None
    attached = staged = published = False
    try:
        step(f"create a {args.size_gb} GB block in {region} (POST /v2/blocks)")
        block = cloud.call("POST", "/v2/blocks", {"region": region, "size_gb": args.size_gb, "label": "mooring-demo"})["block"]
        block = cloud.wait(f"/v2/blocks/{block['id']}", "block", "status", "active")
        detail(f"block {block['id']} is active, mount_id {block['mount_id']}")

        step(f"attach it to instance {instance['id']} (POST /v2/blocks/{block['id']}/attach)")
        cloud.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": instance["id"], "live": True})
        attached = True
        context = {"device_name": f"virtio-{block['mount_id']}"}
        detail(f"publish_context {context}")

        step(f"NodeStageVolume: format as {args.fs_type} and mount at {staging}")
        node.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=block["id"], publish_context=context,
                                                       staging_target_path=str(staging), volume_capability=capability),
                             timeout=300)
        staged = True

        step(f"NodePublishVolume: bind-mount into {target}")
        node.NodePublishVolume(pb.NodePublishVolumeRequest(volume_id=block["id"], publish_context=context,
                                                           staging_target_path=str(staging), target_path=str(target),
                                                           volume_capability=capability), timeout=120)
        published = True

        step("write a file into the volume")
        (target / "hello.txt").write_text("hello from mooring\n")
        detail(f"{target / 'hello.txt'}: {(target / 'hello.txt').read_text().strip()!r}")
        show_usage(pb, node, block["id"], target)

        bigger = args.size_gb + 2
        step(f"expand to {bigger} GB (PATCH /v2/blocks/{block['id']}, then NodeExpandVolume online)")
        cloud.call("PATCH", f"/v2/blocks/{block['id']}", {"size_gb": bigger})
        try:
            grown = node.NodeExpandVolume(pb.NodeExpandVolumeRequest(
                volume_id=block["id"], volume_path=str(target),
                capacity_range=pb.CapacityRange(required_bytes=bigger * GiB)), timeout=300)
            detail(f"device is now {grown.capacity_bytes / GiB:.1f} GiB")
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            # ext4 without CAP_SYS_RESOURCE: the node grows it offline when it is staged again.
            detail(f"online growth refused: {error.details()}")
            step("NodeUnpublishVolume + NodeUnstageVolume, then stage and publish again (grows offline)")
            node.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=block["id"], target_path=str(target)),
                                     timeout=120)
            published = False
            node.NodeUnstageVolume(pb.NodeUnstageVolumeRequest(volume_id=block["id"], staging_target_path=str(staging)),
                                   timeout=120)
            staged = False
            node.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=block["id"], publish_context=context,
                                                           staging_target_path=str(staging),
                                                           volume_capability=capability), timeout=300)
            staged = True
            node.NodePublishVolume(pb.NodePublishVolumeRequest(volume_id=block["id"], publish_context=context,
                                                               staging_target_path=str(staging), target_path=str(target),
                                                               volume_capability=capability), timeout=120)
            published = True
            detail(f"{target / 'hello.txt'}: {(target / 'hello.txt').read_text().strip()!r}")
        show_usage(pb, node, block["id"], target)
    finally:
        if published:
            step("NodeUnpublishVolume")
            node.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=block["id"], target_path=str(target)),
                                     timeout=120)
            detail(f"{target} exists: {target.exists()}")
        if staged:
            step("NodeUnstageVolume")
            node.NodeUnstageVolume(pb.NodeUnstageVolumeRequest(volume_id=block["id"], staging_target_path=str(staging)),
                                   timeout=120)
        if attached:
            step(f"detach (POST /v2/blocks/{block['id']}/detach)")
            cloud.call("POST", f"/v2/blocks/{block['id']}/detach", {"live": True})
        if block is not None:
            step(f"delete (DELETE /v2/blocks/{block['id']})")
            cloud.call("DELETE", f"/v2/blocks/{block['id']}")
        channel.close()
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
