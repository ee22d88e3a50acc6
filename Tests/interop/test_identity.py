"""CSI Identity in csi-node and csi-controller, driven by Python grpcio with stubs compiled from
proto/csi.proto by grpcio-tools; the controller talks to a real localcloud."""
import os
import re
import subprocess

import grpc
import pytest

from mooring_procs import LocalCloud, Served, compile_csi_stubs, free_port

KEY = "identity-test-key-7d41"


@pytest.fixture(scope="session")
def csi(tmp_path_factory):
    return compile_csi_stubs(tmp_path_factory.mktemp("stubs"))


@pytest.fixture
def localcloud(bin_dir, tmp_path):
    cloud = LocalCloud(bin_dir, tmp_path, KEY)
    yield cloud.url
    cloud.stop()


def start_node(bin_dir, tmp_path, *extra, env=None):
    sock = tmp_path / "node.sock"
    return Served([str(bin_dir / "csi-node"), "--endpoint", f"unix://{sock}", "--node-id", "node-1",
                   "--region", "ewr", *extra], sock, tmp_path / "node.log", env=env).wait_ready()


def start_controller(bin_dir, tmp_path, api_url, key=KEY, *extra):
    sock = tmp_path / "controller.sock"
    return Served([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{sock}", "--api-url", api_url, *extra],
                  sock, tmp_path / "controller.log", env={"VULTR_API_KEY": key}).wait_ready()


def identity(csi, served):
    pb, pb_grpc = csi
    channel = grpc.insecure_channel(served.target)
    return pb, pb_grpc.IdentityStub(channel), channel


DOMAIN_LIKE = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")


@pytest.mark.parametrize("which", ["node", "controller"])
def test_plugin_info_is_a_valid_name_and_real_version(csi, bin_dir, tmp_path, localcloud, which):
    served = start_node(bin_dir, tmp_path) if which == "node" else start_controller(bin_dir, tmp_path, localcloud)
    try:
        pb, stub, ch = identity(csi, served)
        info = stub.GetPluginInfo(pb.GetPluginInfoRequest(), timeout=10)
        assert info.name == "block.csi.mooring.dev"
        assert len(info.name) <= 63 and DOMAIN_LIKE.match(info.name) and "." in info.name
        assert re.match(r"^\d+\.\d+\.\d+", info.vendor_version)
        version = subprocess.run([served.argv[0], "--version"], capture_output=True, text=True).stdout.strip()
        assert info.vendor_version == version
        ch.close()
    finally:
        assert served.terminate() == 0
        assert not served.socket_path.exists()


def test_node_is_ready_when_its_tools_are_installed(csi, bin_dir, tmp_path):
    served = start_node(bin_dir, tmp_path)
    try:
        pb, stub, ch = identity(csi, served)
        probe = stub.Probe(pb.ProbeRequest(), timeout=10)
        assert probe.HasField("ready") and probe.ready.value is True
        caps = stub.GetPluginCapabilities(pb.GetPluginCapabilitiesRequest(), timeout=10)
        # Plugin capabilities describe the whole driver, whose controller runs as csi-controller:
        # both endpoints answer alike (csi-sanity asks the node's before publishing volumes).
        advertised = {c.service.type for c in caps.capabilities if c.HasField("service")}
        assert advertised == {pb.PluginCapability.Service.CONTROLLER_SERVICE,
                              pb.PluginCapability.Service.VOLUME_ACCESSIBILITY_CONSTRAINTS}
        ch.close()
    finally:
        served.kill()


def test_node_is_not_ready_without_its_tools(csi, bin_dir, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    served = start_node(bin_dir, tmp_path, env={"PATH": str(empty)})
    try:
        pb, stub, ch = identity(csi, served)
        with pytest.raises(grpc.RpcError) as info:
            stub.Probe(pb.ProbeRequest(), timeout=10)
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "mkfs.ext4" in info.value.details() and "mkfs.xfs" in info.value.details()
        ch.close()
    finally:
        served.kill()


def test_controller_is_ready_when_the_cloud_accepts_its_key(csi, bin_dir, tmp_path, localcloud):
    served = start_controller(bin_dir, tmp_path, localcloud)
    try:
        pb, stub, ch = identity(csi, served)
        probe = stub.Probe(pb.ProbeRequest(), timeout=10)
        assert probe.ready.value is True
        caps = stub.GetPluginCapabilities(pb.GetPluginCapabilitiesRequest(), timeout=10)
        advertised = {c.service.type for c in caps.capabilities if c.HasField("service")}
        # The Controller service is served, and advertised with the topology it honours ...
        assert pb.PluginCapability.Service.CONTROLLER_SERVICE in advertised
        assert pb.PluginCapability.Service.VOLUME_ACCESSIBILITY_CONSTRAINTS in advertised
        # ... and it answers: a create without capabilities is refused for that reason.
        controller = csi[1].ControllerStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            controller.CreateVolume(pb.CreateVolumeRequest(name="v"), timeout=10)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "volume_capabilities" in info.value.details()
        ch.close()
    finally:
        served.kill()


def test_controller_is_not_ready_with_a_rejected_key_and_never_logs_it(csi, bin_dir, tmp_path, localcloud):
    served = start_controller(bin_dir, tmp_path, localcloud, "wrong-key-0c9a71f3")
    try:
        pb, stub, ch = identity(csi, served)
        with pytest.raises(grpc.RpcError) as info:
            stub.Probe(pb.ProbeRequest(), timeout=10)
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "rejected the API key" in info.value.details()
        assert "wrong-key-0c9a71f3" not in info.value.details()
        ch.close()
    finally:
        served.terminate()
    assert "wrong-key-0c9a71f3" not in served.output()


def test_controller_is_not_ready_when_the_cloud_is_down(csi, bin_dir, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"
    served = start_controller(bin_dir, tmp_path, down)
    try:
        pb, stub, ch = identity(csi, served)
        with pytest.raises(grpc.RpcError) as info:
            stub.Probe(pb.ProbeRequest(), timeout=30)
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "not reachable" in info.value.details() and down in info.value.details()
        ch.close()
    finally:
        served.kill()


def test_garbage_bytes_get_invalid_argument_and_the_plugin_keeps_serving(csi, bin_dir, tmp_path):
    served = start_node(bin_dir, tmp_path)
    try:
        pb, stub, ch = identity(csi, served)
        raw = ch.unary_unary("/csi.v1.Identity/GetPluginInfo")
        for garbage in (b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", b"\x0a\x10short", b"\x08"):
            with pytest.raises(grpc.RpcError) as info:
                raw(garbage, timeout=10)
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "GetPluginInfoRequest" in info.value.details()
        assert stub.GetPluginInfo(pb.GetPluginInfoRequest(), timeout=10).name == "block.csi.mooring.dev"
        ch.close()
    finally:
        served.kill()


def test_unknown_csi_methods_are_unimplemented(csi, bin_dir, tmp_path):
    served = start_node(bin_dir, tmp_path)
    try:
        pb, stub, ch = identity(csi, served)
        # csi-node serves Identity and Node, not Controller.
        controller = csi[1].ControllerStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            controller.ControllerGetCapabilities(pb.ControllerGetCapabilitiesRequest(), timeout=10)
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
        ch.close()
    finally:
        served.kill()


@pytest.mark.parametrize("name", ["Block.CSI.example.com", "-bad.example.com", "nodots", "a" * 60 + ".com",
                                  "bad..example.com", "bad_name.example.com"])
def test_invalid_driver_names_are_refused_at_start(bin_dir, tmp_path, name):
    out = subprocess.run([str(bin_dir / "csi-node"), "--endpoint", f"unix://{tmp_path}/n.sock", "--node-id", "n",
                          "--region", "r", "--driver-name", name], capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    assert "driver name" in out.stderr
    assert not (tmp_path / "n.sock").exists()


def test_controller_without_a_key_refuses_to_start(bin_dir, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "VULTR_API_KEY"}
    out = subprocess.run([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{tmp_path}/c.sock",
                          "--api-url", "http://127.0.0.1:1"], capture_output=True, text=True, timeout=20, env=env)
    assert out.returncode != 0
    assert "VULTR_API_KEY" in out.stderr
