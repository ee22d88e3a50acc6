"""CSI Node service in the real csi-node binary, driven by Python grpcio stubs compiled from
proto/csi.proto, on volumes a real localcloud (--real-devices) attaches as loop devices. The node
learns its id and region from localcloud's metadata document."""
import os
import subprocess
import time

import grpc
import pytest
import requests

from mooring_procs import LocalCloud, Served, compile_csi_stubs

KEY = "node-interop-key-3b81"
GiB = 2**30

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="loop devices and mounts need root")


def release(cloud, url, tmp_path):
    """Unmounts whatever a test left under its directory, then detaches and deletes every block."""
    for line in reversed(open("/proc/self/mountinfo").read().splitlines()):
        point = line.split(" ")[4]
        if point.startswith(str(tmp_path) + "/"):
            subprocess.run(["umount", point], check=False)
    for block in cloud.call("GET", "/v2/blocks")["blocks"]:
        if block["attached_to_instance"]:
            cloud.session.post(f"{url}/v2/blocks/{block['id']}/detach", json={}, timeout=10)
        cloud.session.delete(f"{url}/v2/blocks/{block['id']}", timeout=10)


@pytest.fixture(scope="session")
def csi(tmp_path_factory):
    return compile_csi_stubs(tmp_path_factory.mktemp("stubs"))


class Cloud:
    def __init__(self, url):
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {KEY}"

    def call(self, method, path, body=None):
        r = self.session.request(method, self.url + path, json=body, timeout=10)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    def wait(self, path, key, field, value):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            obj = self.call("GET", path)[key]
            if obj[field] == value:
                return obj
            time.sleep(0.05)
        raise AssertionError(f"{path} {field} never became {value}")


@pytest.fixture
def world(bin_dir, tmp_path):
    """localcloud with real devices, one instance, and csi-node for that instance."""
    dev = tmp_path / "dev"
    localcloud = LocalCloud(bin_dir, tmp_path, KEY, "--pending-ms", "50", "--real-devices", "--device-dir", str(dev))
    url = localcloud.url
    cloud = Cloud(url)
    node = None
    try:
        instance = cloud.call("POST", "/v2/instances",
                              {"region": "ewr", "plan": "vc2-1c-1gb", "label": "node-a"})["instance"]
        sock = tmp_path / "node.sock"
        node = Served([str(bin_dir / "csi-node"), "--endpoint", f"unix://{sock}", "--device-dir", str(dev),
                       "--metadata-url", f"{url}/v1.json?instance_id={instance['id']}", "--device-wait", "5"],
                      sock, tmp_path / "node.log").wait_ready()
        yield cloud, instance, node, tmp_path
    finally:
        if node is not None:
            node.terminate()
        release(cloud, url, tmp_path)
        localcloud.stop()


def capability(pb, fs_type="ext4", block=False):
    mode = pb.VolumeCapability.AccessMode(mode=pb.VolumeCapability.AccessMode.SINGLE_NODE_WRITER)
    if block:
        return pb.VolumeCapability(block=pb.VolumeCapability.BlockVolume(), access_mode=mode)
    return pb.VolumeCapability(mount=pb.VolumeCapability.MountVolume(fs_type=fs_type), access_mode=mode)


def has_cap_sys_resource():
    """Online ext4 resizing needs CAP_SYS_RESOURCE, which some sandboxes withhold even from root."""
    for line in open("/proc/self/status"):
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) & (1 << 24))
    return False


def statvfs_total(path):
    st = os.statvfs(path)
    return st.f_blocks * st.f_frsize


@pytest.mark.parametrize("fs_type", ["ext4", "xfs"])
def test_volume_lifecycle_on_real_devices(csi, world, fs_type):
    pb, pb_grpc = csi
    cloud, instance, node, tmp = world
    channel = grpc.insecure_channel(node.target)
    stub = pb_grpc.NodeStub(channel)

    info = stub.NodeGetInfo(pb.NodeGetInfoRequest(), timeout=10)
    assert info.node_id == instance["id"]
    assert dict(info.accessible_topology.segments) == {"topology.block.csi.mooring.dev/region": "ewr"}
    assert info.max_volumes_per_node == 16

    block = cloud.call("POST", "/v2/blocks", {"region": "ewr", "size_gb": 10, "label": "data"})["block"]
    block = cloud.wait(f"/v2/blocks/{block['id']}", "block", "status", "active")
    cloud.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": instance["id"], "live": True})
    context = {"device_name": f"virtio-{block['mount_id']}"}
    vid, cap = block["id"], capability(pb, fs_type)

    staging, target = str(tmp / "staging"), str(tmp / "pod" / "vol")
    stub.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=vid, publish_context=context, staging_target_path=staging,
                                                   volume_capability=cap), timeout=60)
    stub.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=vid, publish_context=context, staging_target_path=staging,
                                                   volume_capability=cap), timeout=60)  # idempotent
    stub.NodePublishVolume(pb.NodePublishVolumeRequest(volume_id=vid, publish_context=context,
                                                       staging_target_path=staging, target_path=target,
                                                       volume_capability=cap), timeout=60)
    with open(os.path.join(target, "hello.txt"), "w") as f:
        f.write("written through csi-node")
    fstype = subprocess.run(["findmnt", "-n", "-o", "FSTYPE", target], capture_output=True, text=True).stdout.strip()
    assert fstype == fs_type

    # Online expansion: grow the block in the cloud, then the filesystem through the node.
    before = statvfs_total(target)
    cloud.call("PATCH", f"/v2/blocks/{vid}", {"size_gb": 12})
    expand = pb.NodeExpandVolumeRequest(volume_id=vid, volume_path=target,
                                        capacity_range=pb.CapacityRange(required_bytes=12 * GiB))
    online = fs_type == "xfs" or has_cap_sys_resource()
    if online:
        assert stub.NodeExpandVolume(expand, timeout=60).capacity_bytes == 12 * GiB
        assert statvfs_total(target) - before > 1.5 * GiB
    else:
        # The kernel refuses online ext4 resizing without CAP_SYS_RESOURCE; the node says so,
        # and the filesystem grows offline when it is next staged (below).
        with pytest.raises(grpc.RpcError) as refused:
            stub.NodeExpandVolume(expand, timeout=60)
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "CAP_SYS_RESOURCE" in refused.value.details()

    stats = stub.NodeGetVolumeStats(pb.NodeGetVolumeStatsRequest(volume_id=vid, volume_path=target), timeout=10)
    units = {u.unit: u for u in stats.usage}
    assert units[pb.VolumeUsage.BYTES].total == statvfs_total(target) and units[pb.VolumeUsage.INODES].used > 0
    assert not stats.volume_condition.abnormal

    stub.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=vid, target_path=target), timeout=60)
    assert not os.path.exists(target)
    stub.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=vid, target_path=target), timeout=60)
    stub.NodeUnstageVolume(pb.NodeUnstageVolumeRequest(volume_id=vid, staging_target_path=staging), timeout=60)
    cloud.call("POST", f"/v2/blocks/{vid}/detach", {"live": True})

    # Re-attached, staged on a fresh path: the data is still there.
    cloud.call("POST", f"/v2/blocks/{vid}/attach", {"instance_id": instance["id"], "live": True})
    staging2, target2 = str(tmp / "staging2"), str(tmp / "pod2" / "vol")
    stub.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=vid, publish_context={"mount_id": block["mount_id"]},
                                                   staging_target_path=staging2, volume_capability=cap), timeout=60)
    stub.NodePublishVolume(pb.NodePublishVolumeRequest(volume_id=vid, staging_target_path=staging2, target_path=target2,
                                                       volume_capability=cap, readonly=True), timeout=60)
    with open(os.path.join(target2, "hello.txt")) as f:
        assert f.read() == "written through csi-node"
    assert statvfs_total(target2) - before > 1.5 * GiB  # grown, online or at this stage
    with pytest.raises(OSError):
        open(os.path.join(target2, "new.txt"), "w")
    stub.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=vid, target_path=target2), timeout=60)
    stub.NodeUnstageVolume(pb.NodeUnstageVolumeRequest(volume_id=vid, staging_target_path=staging2), timeout=60)
    channel.close()


def test_raw_block_and_refusals(csi, world):
    pb, pb_grpc = csi
    cloud, instance, node, tmp = world
    channel = grpc.insecure_channel(node.target)
    stub = pb_grpc.NodeStub(channel)
    block = cloud.call("POST", "/v2/blocks", {"region": "ewr", "size_gb": 10, "label": "raw"})["block"]
    cloud.wait(f"/v2/blocks/{block['id']}", "block", "status", "active")
    cloud.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": instance["id"], "live": True})
    context = {"device_name": f"virtio-{block['mount_id']}"}
    staging, target = str(tmp / "staging"), str(tmp / "pod" / "dev")
    cap = capability(pb, block=True)
    stub.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=block["id"], publish_context=context,
                                                   staging_target_path=staging, volume_capability=cap), timeout=60)
    stub.NodePublishVolume(pb.NodePublishVolumeRequest(volume_id=block["id"], publish_context=context,
                                                       staging_target_path=staging, target_path=target,
                                                       volume_capability=cap), timeout=60)
    size = subprocess.run(["blockdev", "--getsize64", target], capture_output=True, text=True, check=True).stdout
    assert int(size) == 10 * GiB

    def code(call, request):
        with pytest.raises(grpc.RpcError) as info:
            call(request, timeout=30)
        return info.value.code(), info.value.details()

    mount = capability(pb)
    assert code(stub.NodeStageVolume, pb.NodeStageVolumeRequest(
        volume_id="x", publish_context=context, staging_target_path="relative", volume_capability=mount))[0] \
        == grpc.StatusCode.INVALID_ARGUMENT
    assert code(stub.NodeStageVolume, pb.NodeStageVolumeRequest(
        volume_id="x", publish_context=context, staging_target_path=str(tmp / "s"),
        volume_capability=capability(pb, "ntfs")))[0] == grpc.StatusCode.INVALID_ARGUMENT
    bad_flags = pb.VolumeCapability(mount=pb.VolumeCapability.MountVolume(fs_type="ext4", mount_flags=["ro,bind"]),
                                    access_mode=mount.access_mode)
    assert code(stub.NodeStageVolume, pb.NodeStageVolumeRequest(
        volume_id="x", publish_context=context, staging_target_path=str(tmp / "s"),
        volume_capability=bad_flags))[0] == grpc.StatusCode.INVALID_ARGUMENT
    status, details = code(stub.NodeStageVolume, pb.NodeStageVolumeRequest(
        volume_id="x", publish_context={"mount_id": "never-attached"}, staging_target_path=str(tmp / "s"),
        volume_capability=mount))
    assert status == grpc.StatusCode.NOT_FOUND and "did not appear within 5" in details
    assert code(stub.NodeGetVolumeStats, pb.NodeGetVolumeStatsRequest(
        volume_id="x", volume_path=str(tmp / "nowhere")))[0] == grpc.StatusCode.NOT_FOUND

    # Secrets never reach the log, whatever happens to the call.
    encrypted = pb.NodeStageVolumeRequest(volume_id="enc-1", publish_context=context,
                                          staging_target_path=str(tmp / "enc"), volume_capability=mount,
                                          volume_context={"encrypted": "true"},
                                          secrets={"encryption-passphrase": "hunter2-passphrase-c41"})
    if not os.path.exists("/sys/class/misc/device-mapper"):
        status, details = code(stub.NodeStageVolume, encrypted)
        assert status == grpc.StatusCode.FAILED_PRECONDITION and "device-mapper" in details
    assert code(stub.NodeStageVolume, pb.NodeStageVolumeRequest(
        volume_id="enc-1", publish_context=context, staging_target_path=str(tmp / "enc"), volume_capability=mount,
        volume_context={"encrypted": "true"}))[0] == grpc.StatusCode.INVALID_ARGUMENT

    stub.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=block["id"], target_path=target), timeout=60)
    assert not os.path.exists(target)
    stub.NodeUnstageVolume(pb.NodeUnstageVolumeRequest(volume_id=block["id"], staging_target_path=staging), timeout=60)
    channel.close()
    assert "hunter2-passphrase-c41" not in node.output()
