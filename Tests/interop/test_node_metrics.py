"""csi-node --metrics-address: /healthz and /metrics (Prometheus text) from the real binary, with
calls made through its socket by Python grpcio on a volume a real localcloud (--real-devices)
attaches as a loop device. What an operator's scrape shows: per-RPC counts by status code,
latency histograms, and the node's mounts and their failures."""
import os
import re
import subprocess
import urllib.request

import grpc
import pytest

from mooring_procs import LocalCloud, Served, compile_csi_stubs, free_port
from test_node import Cloud, capability, release

KEY = "node-metrics-key-77c1"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="loop devices and mounts need root")


@pytest.fixture(scope="module")
def csi(tmp_path_factory):
    return compile_csi_stubs(tmp_path_factory.mktemp("stubs"))


@pytest.fixture
def node(bin_dir, tmp_path):
    dev = tmp_path / "dev"
    localcloud = LocalCloud(bin_dir, tmp_path, KEY, "--pending-ms", "50", "--real-devices", "--device-dir", str(dev))
    cloud = Cloud(localcloud.url)
    cloud.session.headers["Authorization"] = f"Bearer {KEY}"
    served = None
    metrics = f"127.0.0.1:{free_port()}"
    try:
        instance = cloud.call("POST", "/v2/instances", {"region": "ewr", "plan": "vc2-1c-1gb", "label": "n"})["instance"]
        sock = tmp_path / "node.sock"
        served = Served([str(bin_dir / "csi-node"), "--endpoint", f"unix://{sock}", "--device-dir", str(dev),
                         "--node-id", instance["id"], "--region", "ewr", "--device-wait", "5",
                         "--metrics-address", metrics], sock, tmp_path / "node.log").wait_ready()
        yield cloud, instance, served, f"http://{metrics}", tmp_path
    finally:
        if served is not None:
            served.terminate()
        release(cloud, localcloud.url, tmp_path)
        localcloud.stop()


def scrape(url):
    with urllib.request.urlopen(url + "/metrics", timeout=5) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        text = r.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return text, samples


STAGE = "/csi.v1.Node/NodeStageVolume"


def test_metrics_count_calls_codes_latency_and_mounts(csi, node):
    pb, pb_grpc = csi
    cloud, instance, served, url, tmp = node
    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
        assert r.status == 200 and r.read() == b"ok\n"

    text, samples = scrape(url)
    assert "# TYPE csi_rpc_duration_seconds histogram" in text
    assert "# TYPE csi_node_operation_duration_seconds histogram" in text
    # Every Node method is there before its first call, at zero.
    assert samples[f'csi_rpc_duration_seconds_count{{method="{STAGE}"}}'] == 0
    assert samples['csi_node_operation_duration_seconds_count{operation="mount"}'] == 0

    channel = grpc.insecure_channel(served.target)
    stub = pb_grpc.NodeStub(channel)
    block = cloud.call("POST", "/v2/blocks", {"region": "ewr", "size_gb": 10, "label": "m"})["block"]
    cloud.wait(f"/v2/blocks/{block['id']}", "block", "status", "active")
    cloud.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": instance["id"], "live": True})
    context = {"device_name": f"virtio-{block['mount_id']}"}
    staging, target = str(tmp / "staging"), str(tmp / "pod" / "vol")
    cap = capability(pb)
    # A mount the kernel refuses (an option no filesystem knows) is a failed mount (the
    # filesystem is made first); staging it properly afterwards works.
    bad = pb.VolumeCapability(mount=pb.VolumeCapability.MountVolume(fs_type="ext4", mount_flags=["nosuchoption_zq"]),
                              access_mode=cap.access_mode)
    with pytest.raises(grpc.RpcError) as failed:
        stub.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=block["id"], publish_context=context,
                                                       staging_target_path=str(tmp / "staging-bad"),
                                                       volume_capability=bad), timeout=60)
    stub.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=block["id"], publish_context=context,
                                                   staging_target_path=staging, volume_capability=cap), timeout=60)
    stub.NodePublishVolume(pb.NodePublishVolumeRequest(volume_id=block["id"], publish_context=context,
                                                       staging_target_path=staging, target_path=target,
                                                       volume_capability=cap), timeout=60)
    # A failing call through the socket: a relative staging path is INVALID_ARGUMENT.
    with pytest.raises(grpc.RpcError) as refused:
        stub.NodeStageVolume(pb.NodeStageVolumeRequest(volume_id=block["id"], publish_context=context,
                                                       staging_target_path="relative", volume_capability=cap), timeout=30)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    stub.NodeUnpublishVolume(pb.NodeUnpublishVolumeRequest(volume_id=block["id"], target_path=target), timeout=60)
    stub.NodeUnstageVolume(pb.NodeUnstageVolumeRequest(volume_id=block["id"], staging_target_path=staging), timeout=60)
    channel.close()

    text, samples = scrape(url)
    code = failed.value.code().name
    assert samples[f'csi_rpc_requests_total{{method="{STAGE}",code="OK"}}'] == 1
    assert samples[f'csi_rpc_requests_total{{method="{STAGE}",code="INVALID_ARGUMENT"}}'] == 1
    assert samples[f'csi_rpc_requests_total{{method="{STAGE}",code="{code}"}}'] == 1
    assert samples['csi_rpc_requests_total{method="/csi.v1.Node/NodePublishVolume",code="OK"}'] == 1
    assert samples[f'csi_rpc_duration_seconds_count{{method="{STAGE}"}}'] == 3
    assert samples[f'csi_rpc_duration_seconds_bucket{{method="{STAGE}",le="+Inf"}}'] == 3
    assert samples[f'csi_rpc_duration_seconds_sum{{method="{STAGE}"}}'] > 0
    # Buckets are cumulative.
    buckets = [v for k, v in samples.items() if k.startswith(f'csi_rpc_duration_seconds_bucket{{method="{STAGE}",')]
    assert buckets == sorted(buckets)
    # The node's own changes: one format, the staging mount and the bind mount, two unmounts,
    # and the refused mount counted as a failure.
    assert samples['csi_node_operations_total{operation="format",result="ok"}'] == 1
    assert samples['csi_node_operations_total{operation="mount",result="ok"}'] == 1
    assert samples['csi_node_operations_total{operation="mount",result="error"}'] == 1
    assert samples['csi_node_operations_total{operation="bind_mount",result="ok"}'] == 1
    assert samples['csi_node_operations_total{operation="unmount",result="ok"}'] >= 2
    assert re.search(r'^csi_node_operation_duration_seconds_count\{operation="mount"\} 2$', text, re.M)


def test_bad_metrics_address_is_a_usage_error(bin_dir, tmp_path):
    r = subprocess.run([str(bin_dir / "csi-node"), "--endpoint", f"unix://{tmp_path}/s.sock", "--node-id", "n",
                        "--region", "ewr", "--metrics-address", "nowhere"], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "--metrics-address must be HOST:PORT" in r.stderr
