"""VFS (ReadWriteMany) volumes end to end through Mooring's real binaries: csi-controller against a
real localcloud (--vfs-dir), and two csi-node processes for two different instances sharing that
directory as the local cloud's stand-in for virtiofs. One volume is published on both nodes at
once; what one node's pod writes, the other's reads. Vultr's own StorageClass parameters
(storage_type/disk_type) are what the requests carry."""
import json
import os
import subprocess
import urllib.request

import grpc
import pytest

from mooring_procs import LocalCloud, Served, compile_csi_stubs

KEY = "vfs-interop-key-77a2"
GiB = 1 << 30
VFS = {"storage_type": "vfs", "disk_type": "nvme"}


@pytest.fixture(scope="session")
def csi(tmp_path_factory):
    return compile_csi_stubs(tmp_path_factory.mktemp("stubs"))


def api(url, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def code_of(call):
    with pytest.raises(grpc.RpcError) as failure:
        call()
    return failure.value.code()


def capability(pb, mode="MULTI_NODE_MULTI_WRITER", block=False):
    access = pb.VolumeCapability.AccessMode(mode=getattr(pb.VolumeCapability.AccessMode, mode))
    if block:
        return pb.VolumeCapability(block=pb.VolumeCapability.BlockVolume(), access_mode=access)
    return pb.VolumeCapability(mount=pb.VolumeCapability.MountVolume(), access_mode=access)


@pytest.fixture
def world(csi, bin_dir, tmp_path):
    """localcloud, csi-controller without --region (the region comes from its instance's metadata,
    as vultr-csi's does), and csi-node on two instances, all sharing one --vfs-dir."""
    vfs_dir = tmp_path / "vfs"
    cloud = LocalCloud(bin_dir, tmp_path, KEY, "--pending-ms", "50", "--vfs-dir", str(vfs_dir))
    served = []
    try:
        instances = [api(cloud.url, "POST", "/v2/instances", {"region": "ams", "plan": "vc2-1c-1gb", "label": f"node-{n}"})
                     ["instance"]["id"] for n in "ab"]
        sock = tmp_path / "controller.sock"
        served.append(Served([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{sock}", "--api-url", cloud.url,
                              "--metadata-url", f"{cloud.url}/v1.json?instance_id={instances[0]}"],
                             sock, tmp_path / "controller.log", env={"VULTR_API_KEY": KEY}).wait_ready())
        nodes = []
        for n, instance in zip("ab", instances):
            node_sock = tmp_path / f"node-{n}.sock"
            served.append(Served([str(bin_dir / "csi-node"), "--endpoint", f"unix://{node_sock}", "--vfs-dir", str(vfs_dir),
                                  "--device-dir", str(tmp_path / "dev"),
                                  "--metadata-url", f"{cloud.url}/v1.json?instance_id={instance}"],
                                 node_sock, tmp_path / f"node-{n}.log").wait_ready())
            nodes.append(served[-1])
        pb, pb_grpc = csi
        controller = pb_grpc.ControllerStub(grpc.insecure_channel(served[0].target))
        node_stubs = [pb_grpc.NodeStub(grpc.insecure_channel(n.target)) for n in nodes]
        yield pb, cloud.url, controller, list(zip(instances, node_stubs)), tmp_path
    finally:
        for line in reversed(open("/proc/self/mountinfo").read().splitlines()):
            point = line.split(" ")[4]
            if point.startswith(str(tmp_path) + "/"):
                subprocess.run(["umount", point], check=False)
        for process in served:
            process.terminate()
        cloud.stop()


@pytest.mark.skipif(os.geteuid() != 0, reason="bind mounts need root")
def test_one_vfs_published_on_two_nodes_shares_its_files(world):
    pb, url, ctl, nodes, tmp = world
    created = ctl.CreateVolume(pb.CreateVolumeRequest(
        name="pvc-shared", capacity_range=pb.CapacityRange(required_bytes=10 * GiB),
        volume_capabilities=[capability(pb)], parameters=VFS), timeout=60).volume
    assert created.volume_id.startswith("vfs-")
    # No --region and no topology: the controller took its own instance's region from metadata.
    assert dict(created.accessible_topology[0].segments) == {"topology.block.csi.mooring.dev/region": "ams"}

    targets = []
    for n, (instance, node) in enumerate(nodes):
        context = dict(ctl.ControllerPublishVolume(pb.ControllerPublishVolumeRequest(
            volume_id=created.volume_id, node_id=instance, volume_capability=capability(pb)), timeout=60).publish_context)
        assert context["storage_type"] == "vfs" and context["mount_vol_name"].isdigit()
        info = node.NodeGetInfo(pb.NodeGetInfoRequest(), timeout=10)
        assert info.node_id == instance
        staging, target = tmp / f"staging-{n}", tmp / f"target-{n}"
        for _ in range(2):  # idempotent
            node.NodeStageVolume(pb.NodeStageVolumeRequest(
                volume_id=created.volume_id, publish_context=context, staging_target_path=str(staging),
                volume_capability=capability(pb)), timeout=30)
        node.NodePublishVolume(pb.NodePublishVolumeRequest(
            volume_id=created.volume_id, publish_context=context, staging_target_path=str(staging),
            target_path=str(target), volume_capability=capability(pb)), timeout=30)
        targets.append((node, staging, target))

    (targets[0][2] / "hello.txt").write_text("written on node a\n")
    assert (targets[1][2] / "hello.txt").read_text() == "written on node a\n"
    (targets[1][2] / "reply.txt").write_text("b was here\n")
    assert (targets[0][2] / "reply.txt").read_text() == "b was here\n"

    stats = targets[1][0].NodeGetVolumeStats(pb.NodeGetVolumeStatsRequest(
        volume_id=created.volume_id, volume_path=str(targets[1][2])), timeout=10)
    assert stats.usage[0].total > 0 and not stats.volume_condition.abnormal
    # The cloud measures what the VFS holds.
    vfs = api(url, "GET", f"/v2/vfs/{created.volume_id.removeprefix('vfs-')}")
    assert vfs["storage_used"]["bytes"] == len("written on node a\n") + len("b was here\n")

    expanded = ctl.ControllerExpandVolume(pb.ControllerExpandVolumeRequest(
        volume_id=created.volume_id, capacity_range=pb.CapacityRange(required_bytes=20 * GiB),
        volume_capability=capability(pb)), timeout=30)
    assert expanded.capacity_bytes == 20 * GiB and not expanded.node_expansion_required

    for n, ((instance, _), (node, staging, target)) in enumerate(zip(nodes, targets)):
        for _ in range(2):
            node.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=created.volume_id, target_path=str(target)),
                                     timeout=30)
            node.NodeUnstageVolume(pb.NodeUnstageVolumeRequest(volume_id=created.volume_id,
                                                               staging_target_path=str(staging)), timeout=30)
        assert not target.exists()
        ctl.ControllerUnpublishVolume(pb.ControllerUnpublishVolumeRequest(volume_id=created.volume_id, node_id=instance),
                                      timeout=30)
    ctl.DeleteVolume(pb.DeleteVolumeRequest(volume_id=created.volume_id), timeout=30)
    assert api(url, "GET", "/v2/vfs")["vfs"] == []


def test_refusals_have_their_codes(world):
    pb, url, ctl, nodes, tmp = world
    invalid = grpc.StatusCode.INVALID_ARGUMENT
    # ReadWriteMany on block storage.
    assert code_of(lambda: ctl.CreateVolume(pb.CreateVolumeRequest(
        name="rwx-block", volume_capabilities=[capability(pb)],
        parameters={"storage_type": "block", "disk_type": "nvme"}), timeout=30)) == invalid
    # Raw block access on a VFS.
    assert code_of(lambda: ctl.CreateVolume(pb.CreateVolumeRequest(
        name="raw-vfs", volume_capabilities=[capability(pb, block=True)], parameters=VFS), timeout=30)) == invalid
    # HDD VFS does not exist.
    assert code_of(lambda: ctl.CreateVolume(pb.CreateVolumeRequest(
        name="hdd-vfs", volume_capabilities=[capability(pb)],
        parameters={"storage_type": "vfs", "disk_type": "hdd"}), timeout=30)) == invalid
    volume = ctl.CreateVolume(pb.CreateVolumeRequest(
        name="pvc-snap", volume_capabilities=[capability(pb)], parameters=VFS), timeout=60).volume
    # No snapshots of a VFS.
    assert code_of(lambda: ctl.CreateSnapshot(pb.CreateSnapshotRequest(
        name="snap", source_volume_id=volume.volume_id), timeout=30)) == invalid
    # Raw block publish of a VFS, on the controller and on the node.
    instance, node = nodes[0]
    assert code_of(lambda: ctl.ControllerPublishVolume(pb.ControllerPublishVolumeRequest(
        volume_id=volume.volume_id, node_id=instance, volume_capability=capability(pb, block=True)), timeout=30)) == invalid
    assert code_of(lambda: node.NodeStageVolume(pb.NodeStageVolumeRequest(
        volume_id=volume.volume_id, publish_context={"storage_type": "vfs", "mount_vol_name": "1"},
        staging_target_path=str(tmp / "s"), volume_capability=capability(pb, block=True)), timeout=30)) == invalid
    # A node the VFS was never attached to has no such tag.
    assert code_of(lambda: node.NodeStageVolume(pb.NodeStageVolumeRequest(
        volume_id=volume.volume_id, publish_context={"storage_type": "vfs", "mount_vol_name": "999"},
        staging_target_path=str(tmp / "s"), volume_capability=capability(pb)), timeout=30)) == grpc.StatusCode.FAILED_PRECONDITION
    ctl.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id), timeout=30)


# Vultr's six StorageClasses (vultr-csi v0.14.0's release manifest): name → parameters.
VULTR_CLASSES = {
    "vultr-block-storage": {"disk_type": "nvme", "storage_type": "block"},
    "vultr-block-storage-retain": {"disk_type": "nvme", "storage_type": "block"},
    "vultr-block-storage-hdd": {"disk_type": "hdd", "storage_type": "block"},
    "vultr-block-storage-hdd-retain": {"disk_type": "hdd", "storage_type": "block"},
    "vultr-vfs-storage": {"disk_type": "nvme", "storage_type": "vfs"},
    "vultr-vfs-storage-retain": {"disk_type": "nvme", "storage_type": "vfs"},
}


def test_vultrs_six_storage_classes_provision_through_the_binary(world):
    pb, url, ctl, nodes, tmp = world
    for name, parameters in VULTR_CLASSES.items():
        shared = parameters["storage_type"] == "vfs"
        mode = "MULTI_NODE_MULTI_WRITER" if shared else "SINGLE_NODE_WRITER"
        # What external-provisioner adds to the class's parameters.
        request = pb.CreateVolumeRequest(name=f"pvc-{name}", volume_capabilities=[capability(pb, mode)],
                                         parameters={**parameters, "csi.storage.k8s.io/pvc/name": "data",
                                                     "csi.storage.k8s.io/pvc/namespace": "default"})
        volume = ctl.CreateVolume(request, timeout=60).volume
        if shared:
            assert volume.volume_id.startswith("vfs-"), name
            assert api(url, "GET", f"/v2/vfs/{volume.volume_id.removeprefix('vfs-')}")["disk_type"] == "nvme"
        else:
            block = api(url, "GET", f"/v2/blocks/{volume.volume_id}")["block"]
            assert block["block_type"] == {"nvme": "high_perf", "hdd": "storage_opt"}[parameters["disk_type"]], name
        ctl.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id), timeout=30)
    assert api(url, "GET", "/v2/blocks")["blocks"] == [] and api(url, "GET", "/v2/vfs")["vfs"] == []
