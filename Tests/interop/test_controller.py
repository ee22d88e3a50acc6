"""The CSI Controller service of the real csi-controller binary against a real localcloud,
driven by Python grpcio with stubs compiled from proto/csi.proto: the flows external-provisioner,
-attacher, -resizer and -snapshotter go through."""
import json
import subprocess
import time
import urllib.request

import grpc
import pytest

from mooring_procs import LocalCloud, Served, compile_csi_stubs, free_port

KEY = "controller-interop-key-31c9"
GiB = 1 << 30


@pytest.fixture(scope="session")
def csi(tmp_path_factory):
    return compile_csi_stubs(tmp_path_factory.mktemp("stubs"))


@pytest.fixture
def cloud(bin_dir, tmp_path):
    cloud = LocalCloud(bin_dir, tmp_path, KEY, "--pending-ms", "100")
    yield cloud.url
    cloud.stop()


def api(url, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def new_node(url, region="ewr"):
    return api(url, "POST", "/v2/instances", {"region": region, "plan": "vc2-1c-1gb", "label": "node"})["instance"]["id"]


@pytest.fixture
def controller(csi, bin_dir, tmp_path, cloud):
    sock = tmp_path / "controller.sock"
    metrics = free_port()
    served = Served([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{sock}", "--api-url", cloud,
                     "--region", "ewr", "--metrics-address", f"127.0.0.1:{metrics}"],
                    sock, tmp_path / "controller.log", env={"VULTR_API_KEY": KEY}).wait_ready()
    served.metrics_url = f"http://127.0.0.1:{metrics}"
    channel = grpc.insecure_channel(served.target)
    pb, pb_grpc = csi
    yield pb, pb_grpc.ControllerStub(channel), pb_grpc.IdentityStub(channel), served
    channel.close()
    assert served.terminate() == 0


def mount_cap(pb, fs="ext4", mode=None):
    return pb.VolumeCapability(mount=pb.VolumeCapability.MountVolume(fs_type=fs),
                               access_mode=pb.VolumeCapability.AccessMode(
                                   mode=mode or pb.VolumeCapability.AccessMode.SINGLE_NODE_WRITER))


def code_of(call):
    with pytest.raises(grpc.RpcError) as failure:
        call()
    return failure.value.code()


def test_advertises_the_controller_service_and_its_rpcs(controller):
    pb, ctl, ident, _ = controller
    services = {c.service.type for c in ident.GetPluginCapabilities(pb.GetPluginCapabilitiesRequest(), timeout=10).capabilities}
    assert pb.PluginCapability.Service.CONTROLLER_SERVICE in services
    assert pb.PluginCapability.Service.VOLUME_ACCESSIBILITY_CONSTRAINTS in services
    rpcs = {c.rpc.type for c in ctl.ControllerGetCapabilities(pb.ControllerGetCapabilitiesRequest(), timeout=10).capabilities}
    T = pb.ControllerServiceCapability.RPC
    assert {T.CREATE_DELETE_VOLUME, T.PUBLISH_UNPUBLISH_VOLUME, T.LIST_VOLUMES, T.EXPAND_VOLUME,
            T.CREATE_DELETE_SNAPSHOT} <= rpcs
    assert T.GET_CAPACITY not in rpcs
    assert code_of(lambda: ctl.GetCapacity(pb.GetCapacityRequest(), timeout=10)) == grpc.StatusCode.UNIMPLEMENTED


def test_provision_attach_expand_snapshot_detach_delete(controller, cloud):
    pb, ctl, _, served = controller
    request = pb.CreateVolumeRequest(name="pvc-interop", capacity_range=pb.CapacityRange(required_bytes=5 * GiB),
                                     volume_capabilities=[mount_cap(pb)], parameters={"disk_type": "nvme"})
    volume = ctl.CreateVolume(request, timeout=30).volume
    assert volume.capacity_bytes == 10 * GiB
    assert dict(volume.accessible_topology[0].segments) == {"topology.block.csi.mooring.dev/region": "ewr"}
    assert ctl.CreateVolume(request, timeout=30).volume.volume_id == volume.volume_id
    bigger = pb.CreateVolumeRequest(name="pvc-interop", capacity_range=pb.CapacityRange(required_bytes=20 * GiB),
                                    volume_capabilities=[mount_cap(pb)])
    assert code_of(lambda: ctl.CreateVolume(bigger, timeout=30)) == grpc.StatusCode.ALREADY_EXISTS

    node = new_node(cloud)
    publish = pb.ControllerPublishVolumeRequest(volume_id=volume.volume_id, node_id=node, volume_capability=mount_cap(pb))
    context = dict(ctl.ControllerPublishVolume(publish, timeout=30).publish_context)
    block = api(cloud, "GET", f"/v2/blocks/{volume.volume_id}")["block"]
    assert block["attached_to_instance"] == node
    # Mooring's keys, and vultr-csi's own two, so either driver's node plugin reads it.
    assert context == {"mount_id": block["mount_id"], "device_name": f"virtio-{block['mount_id']}",
                       "mount_vol_name": block["mount_id"], "storage_type": "block"}

    listed = ctl.ListVolumes(pb.ListVolumesRequest(), timeout=30).entries
    assert [(e.volume.volume_id, list(e.status.published_node_ids)) for e in listed] == [(volume.volume_id, [node])]

    expanded = ctl.ControllerExpandVolume(pb.ControllerExpandVolumeRequest(
        volume_id=volume.volume_id, capacity_range=pb.CapacityRange(required_bytes=15 * GiB)), timeout=30)
    assert expanded.capacity_bytes == 15 * GiB and expanded.node_expansion_required
    assert api(cloud, "GET", f"/v2/blocks/{volume.volume_id}")["block"]["size_gb"] == 15

    snapshot = ctl.CreateSnapshot(pb.CreateSnapshotRequest(name="snap-interop", source_volume_id=volume.volume_id),
                                  timeout=30).snapshot
    assert snapshot.source_volume_id == volume.volume_id and snapshot.size_bytes == 15 * GiB
    deadline = time.monotonic() + 10
    while not ctl.GetSnapshot(pb.GetSnapshotRequest(snapshot_id=snapshot.snapshot_id), timeout=10).snapshot.ready_to_use:
        assert time.monotonic() < deadline, "snapshot never became ready"
        time.sleep(0.1)

    assert code_of(lambda: ctl.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id), timeout=30)) \
        == grpc.StatusCode.FAILED_PRECONDITION
    ctl.ControllerUnpublishVolume(pb.ControllerUnpublishVolumeRequest(volume_id=volume.volume_id, node_id=node), timeout=30)
    assert api(cloud, "GET", f"/v2/blocks/{volume.volume_id}")["block"]["attached_to_instance"] in ("", None)
    ctl.DeleteSnapshot(pb.DeleteSnapshotRequest(snapshot_id=snapshot.snapshot_id), timeout=30)
    ctl.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id), timeout=30)
    ctl.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id), timeout=30)
    assert api(cloud, "GET", "/v2/blocks")["blocks"] == []

    text = urllib.request.urlopen(served.metrics_url + "/metrics", timeout=5).read().decode()
    assert 'csi_rpc_requests_total{method="/csi.v1.Controller/CreateVolume",code="OK"} 2' in text, text
    assert 'method="/csi.v1.Controller/CreateVolume",code="ALREADY_EXISTS"} 1' in text
    assert 'csi_rpc_duration_seconds_count{method="/csi.v1.Controller/ControllerPublishVolume"} 1' in text
    assert "cloudapi_requests_total{" in text
    assert urllib.request.urlopen(served.metrics_url + "/healthz", timeout=5).read() == b"ok\n"

    log = served.output()
    assert f"volume.id={volume.volume_id}" in log or f'"volume.id":"{volume.volume_id}"' in log
    assert KEY not in log


def test_errors_carry_the_codes_the_sidecars_expect(controller, cloud):
    pb, ctl, _, _ = controller
    C = grpc.StatusCode
    assert code_of(lambda: ctl.CreateVolume(pb.CreateVolumeRequest(name="x"), timeout=10)) == C.INVALID_ARGUMENT
    assert code_of(lambda: ctl.CreateVolume(pb.CreateVolumeRequest(
        name="x", volume_capabilities=[mount_cap(pb)], parameters={"bogus": "1"}), timeout=10)) == C.INVALID_ARGUMENT
    assert code_of(lambda: ctl.CreateVolume(pb.CreateVolumeRequest(
        name="x", volume_capabilities=[mount_cap(pb)], capacity_range=pb.CapacityRange(required_bytes=20000 * GiB)),
        timeout=10)) == C.OUT_OF_RANGE
    node = new_node(cloud)
    assert code_of(lambda: ctl.ControllerPublishVolume(pb.ControllerPublishVolumeRequest(
        volume_id="nope", node_id=node, volume_capability=mount_cap(pb)), timeout=10)) == C.NOT_FOUND
    assert code_of(lambda: ctl.ListVolumes(pb.ListVolumesRequest(starting_token="zz"), timeout=10)) == C.ABORTED
    assert code_of(lambda: ctl.GetSnapshot(pb.GetSnapshotRequest(snapshot_id="nope"), timeout=10)) == C.NOT_FOUND


def test_a_lost_create_answer_makes_no_second_volume(csi, bin_dir, tmp_path):
    cloud = LocalCloud(bin_dir, tmp_path, KEY, "--pending-ms", "100", "--faults", "drop_after_commit_rate=0.3")
    url = cloud.url
    sock = tmp_path / "controller.sock"
    served = Served([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{sock}", "--api-url", url, "--region", "ewr"],
                    sock, tmp_path / "controller.log", env={"VULTR_API_KEY": KEY}).wait_ready()
    pb, pb_grpc = csi
    channel = grpc.insecure_channel(served.target)
    ctl = pb_grpc.ControllerStub(channel)
    try:
        for i in range(6):
            request = pb.CreateVolumeRequest(name=f"pvc-{i}", volume_capabilities=[mount_cap(pb)])
            for _ in range(15):  # retry like external-provisioner
                try:
                    ctl.CreateVolume(request, timeout=30)
                    break
                except grpc.RpcError:
                    time.sleep(0.05)
            else:
                pytest.fail(f"pvc-{i} was never created")
        labels = None
        for _ in range(20):  # the check itself may meet a dropped answer
            try:
                labels = sorted(b["label"] for b in api(url, "GET", "/v2/blocks?per_page=500")["blocks"])
                break
            except OSError:
                pass
        assert labels == [f"pvc-{i}" for i in range(6)]
    finally:
        channel.close()
        served.terminate()
        cloud.stop()


@pytest.mark.parametrize("flag,value,words", [
    ("--max-volumes-per-node", "-1", "--max-volumes-per-node"),
    ("--metrics-address", "nowhere", "HOST:PORT"),
    ("--api-rate", "0", "--api-rate"),
    ("--region", "", "--region"),
])
def test_bad_flags_are_refused_with_a_clear_message(bin_dir, tmp_path, flag, value, words):
    out = subprocess.run([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{tmp_path}/c.sock",
                          "--api-url", "http://127.0.0.1:1", f"{flag}={value}"],
                         capture_output=True, text=True, timeout=20, env={"VULTR_API_KEY": KEY})
    assert out.returncode != 0
    assert words in out.stderr, out.stderr
    assert not (tmp_path / "c.sock").exists()
