"""Hostile input, one table: every path field, mount and format option, oversized request and map,
unknown enum value, invalid UTF-8, and secret-carrying field of the CSI API, sent by Python grpcio
(stubs compiled from proto/csi.proto, raw bytes where protobuf itself would refuse to encode) to
the real csi-node and csi-controller binaries. Each row names the answer a CO must get; after the
table, no secret may appear in any answer or log line, and both plugins still serve."""
import os
import pathlib
import pwd
import shutil
import socket
import subprocess
import tempfile

import grpc
import pytest

from mooring_procs import LocalCloud, Served, compile_csi_stubs

KEY = "hostile-interop-key-0e5d"
SECRET = "s3cr3t-hostile-7f1e9a"
INVALID = grpc.StatusCode.INVALID_ARGUMENT


@pytest.fixture(scope="module")
def csi(tmp_path_factory):
    return compile_csi_stubs(tmp_path_factory.mktemp("stubs"))


@pytest.fixture(scope="module")
def plugins(csi, bin_dir, tmp_path_factory):
    """csi-node (node id and region given, no metadata service) and csi-controller on a localcloud."""
    tmp = tmp_path_factory.mktemp("hostile")
    cloud = LocalCloud(bin_dir, tmp, KEY, "--pending-ms", "20")
    node = Served([str(bin_dir / "csi-node"), "--endpoint", f"unix://{tmp / 'node.sock'}",
                   "--node-id", "hostile-node", "--region", "ewr", "--device-dir", str(tmp / "dev")],
                  tmp / "node.sock", tmp / "node.log").wait_ready()
    controller = Served([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{tmp / 'ctl.sock'}",
                         "--api-url", cloud.url, "--region", "ewr"],
                        tmp / "ctl.sock", tmp / "ctl.log", env={"VULTR_API_KEY": KEY}).wait_ready()
    channels = {"node": grpc.insecure_channel(node.target), "controller": grpc.insecure_channel(controller.target)}
    yield {"tmp": tmp, "node": node, "controller": controller, "channels": channels, "cloud": cloud}
    for channel in channels.values():
        channel.close()
    assert node.terminate() == 0
    assert controller.terminate() == 0
    cloud.stop()


def mount(pb, fs="ext4", flags=(), mode=None):
    return pb.VolumeCapability(
        mount=pb.VolumeCapability.MountVolume(fs_type=fs, mount_flags=list(flags)),
        access_mode=pb.VolumeCapability.AccessMode(mode=mode if mode is not None else 1))


GOOD = "/var/lib/kubelet/plugins/hostile/good"
BAD_PATHS = [
    ("relative", "var/lib/kubelet/x"),
    ("dotdot", "/var/lib/kubelet/../../etc"),
    ("dot", "/var/lib/kubelet/./x"),
    ("double-slash", "/var/lib//kubelet"),
    ("trailing-slash", "/var/lib/kubelet/x/"),
    ("root", "/"),
    ("newline", "/var/lib/kubelet/x\nbind"),
    ("nul", "/var/lib/kubelet/x\x00y"),
    ("too-long", "/" + "a" * 5000),
]

# (method, build request from (pb, bad path), field is optional i.e. empty is allowed)
PATH_FIELDS = [
    ("NodeStageVolume.staging_target_path", lambda pb, p: ("NodeStageVolume", pb.NodeStageVolumeRequest(
        volume_id="v1", publish_context={"mount_id": "m1"}, staging_target_path=p, volume_capability=mount(pb))), False),
    ("NodeUnstageVolume.staging_target_path", lambda pb, p: ("NodeUnstageVolume", pb.NodeUnstageVolumeRequest(
        volume_id="v1", staging_target_path=p)), False),
    ("NodePublishVolume.target_path", lambda pb, p: ("NodePublishVolume", pb.NodePublishVolumeRequest(
        volume_id="v1", staging_target_path=GOOD, target_path=p, volume_capability=mount(pb))), False),
    ("NodePublishVolume.staging_target_path", lambda pb, p: ("NodePublishVolume", pb.NodePublishVolumeRequest(
        volume_id="v1", staging_target_path=p, target_path=GOOD + "2", volume_capability=mount(pb))), False),
    ("NodeUnpublishVolume.target_path", lambda pb, p: ("NodeUnpublishVolume", pb.NodeUnpublishVolumeRequest(
        volume_id="v1", target_path=p)), False),
    ("NodeGetVolumeStats.volume_path", lambda pb, p: ("NodeGetVolumeStats", pb.NodeGetVolumeStatsRequest(
        volume_id="v1", volume_path=p)), False),
    ("NodeGetVolumeStats.staging_target_path", lambda pb, p: ("NodeGetVolumeStats", pb.NodeGetVolumeStatsRequest(
        volume_id="v1", volume_path=GOOD, staging_target_path=p)), True),
    ("NodeExpandVolume.volume_path", lambda pb, p: ("NodeExpandVolume", pb.NodeExpandVolumeRequest(
        volume_id="v1", volume_path=p)), False),
    ("NodeExpandVolume.staging_target_path", lambda pb, p: ("NodeExpandVolume", pb.NodeExpandVolumeRequest(
        volume_id="v1", volume_path=GOOD, staging_target_path=p)), True),
]


# csi-sanity sends `volume_path: "some/path"` to NodeGetVolumeStats and NodeExpandVolume and wants
# NOT_FOUND ("no volume at that path"); the message still says why the path is refused.
NOT_FOUND_BY_CONFORMANCE = {"NodeGetVolumeStats.volume_path": grpc.StatusCode.NOT_FOUND,
                            "NodeExpandVolume.volume_path": grpc.StatusCode.NOT_FOUND}


def call(plugins, csi, service, method, request, timeout=20):
    pb, pb_grpc = csi
    stub_class = {"node": pb_grpc.NodeStub, "controller": pb_grpc.ControllerStub}[service]
    stub = stub_class(plugins["channels"][service])
    try:
        getattr(stub, method)(request, timeout=timeout)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as error:
        return error.code(), error.details() or ""


@pytest.mark.parametrize("field,build,optional", PATH_FIELDS, ids=[f[0] for f in PATH_FIELDS])
@pytest.mark.parametrize("kind,path", BAD_PATHS, ids=[b[0] for b in BAD_PATHS])
def test_every_path_field_refuses_unclean_paths(plugins, csi, field, build, optional, kind, path):
    pb, _ = csi
    method, request = build(pb, path)
    code, details = call(plugins, csi, "node", method, request)
    # A NUL is refused by the decoder, before any handler (the request is malformed).
    expected = INVALID if kind == "nul" else NOT_FOUND_BY_CONFORMANCE.get(field, INVALID)
    assert code == expected, f"{field} = {path[:40]!r}: {code} {details}"
    assert field.split(".")[1] in details, f"the error names the field: {details}"
    # Nothing was created on the way to the refusal.
    assert not os.path.exists("/var/lib/kubelet/x")


@pytest.mark.parametrize("field,build,optional", [f for f in PATH_FIELDS if not f[2]],
                         ids=[f[0] for f in PATH_FIELDS if not f[2]])
def test_every_required_path_field_refuses_empty(plugins, csi, field, build, optional):
    pb, _ = csi
    method, request = build(pb, "")
    code, details = call(plugins, csi, "node", method, request)
    assert code == INVALID and field.split(".")[1] in details, f"{field}: {code} {details}"


MOUNT_FLAGS = [
    ["bind"], ["ro,bind"], ["remount"], ["rbind"], ["loop"], ["x-mount.mkdir"], ["exec"], ["suid"], ["dev"],
    ["offset=4096"], ["-o", "bind"], ["--bind"], ["noatime;id"], ["noatime bind"], ["uid=0\nbind"],
    ["noatime,"], [""], ["a" * 300], ["$(reboot)"], ["noatime", "\x00"],
]


@pytest.mark.parametrize("flags", MOUNT_FLAGS, ids=[repr(f)[:30] for f in MOUNT_FLAGS])
def test_mount_option_injection_is_refused(plugins, csi, flags):
    pb, _ = csi
    request = pb.NodeStageVolumeRequest(volume_id="v1", publish_context={"mount_id": "m1"},
                                        staging_target_path=GOOD, volume_capability=mount(pb, flags=flags))
    code, details = call(plugins, csi, "node", "NodeStageVolume", request)
    assert code == INVALID, f"{flags!r}: {code} {details}"
    assert "\n" not in details and "\x00" not in details


@pytest.mark.parametrize("fs", ["ntfs", "ext4 -o bind", "ext4;reboot", "../ext4", "ext4\x00", "EXT4" * 40])
def test_filesystem_type_injection_is_refused(plugins, csi, fs):
    pb, _ = csi
    for service, method, request in [
        ("node", "NodeStageVolume", pb.NodeStageVolumeRequest(
            volume_id="v1", publish_context={"mount_id": "m1"}, staging_target_path=GOOD,
            volume_capability=mount(pb, fs=fs))),
        ("controller", "CreateVolume", pb.CreateVolumeRequest(name="pvc-fs", volume_capabilities=[mount(pb, fs=fs)])),
    ]:
        code, details = call(plugins, csi, service, method, request)
        assert code == INVALID, f"{service} {fs!r}: {code} {details}"


@pytest.mark.parametrize("options", ["-E root_owner=0:0 -O ^has_journal; reboot", "-F $(id)", "--", "-m 0\n-L x",
                                     "-b 4096 /dev/sda"])
def test_format_option_injection_is_refused_by_the_controller(plugins, csi, options):
    pb, _ = csi
    request = pb.CreateVolumeRequest(name="pvc-fmt", volume_capabilities=[mount(pb)],
                                     parameters={"fsFormatOptions": options})
    code, details = call(plugins, csi, "controller", "CreateVolume", request)
    assert code == INVALID, f"{options!r}: {code} {details}"
    assert "fsFormatOptions" in details


@pytest.mark.parametrize("mode", [0, 99, 2**31 - 1])
def test_unknown_enum_values_are_refused(plugins, csi, mode):
    pb, _ = csi
    cap = mount(pb, mode=mode)
    for service, method, request in [
        ("controller", "CreateVolume", pb.CreateVolumeRequest(name="pvc-enum", volume_capabilities=[cap])),
        ("controller", "ValidateVolumeCapabilities", pb.ValidateVolumeCapabilitiesRequest(
            volume_id="nope", volume_capabilities=[cap])),
        ("node", "NodeStageVolume", pb.NodeStageVolumeRequest(
            volume_id="v1", publish_context={"mount_id": "m1"}, staging_target_path=GOOD, volume_capability=cap)),
    ]:
        code, details = call(plugins, csi, service, method, request)
        # ValidateVolumeCapabilities of an unknown volume may answer NOT_FOUND first (spec order).
        allowed = {INVALID, grpc.StatusCode.NOT_FOUND} if method == "ValidateVolumeCapabilities" else {INVALID}
        assert code in allowed, f"{method} mode={mode}: {code} {details}"


def raw_call(plugins, service, path, payload: bytes, timeout=20):
    """Sends bytes as the request message, bypassing protobuf's own encoder (which refuses
    invalid UTF-8 in string fields)."""
    unary = plugins["channels"][service].unary_unary(path, request_serializer=None, response_deserializer=None)
    try:
        unary(payload, timeout=timeout)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as error:
        return error.code(), error.details() or ""


def field(number: int, value: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2) with a one- or two-byte length."""
    assert len(value) < 16384
    length = bytes([len(value)]) if len(value) < 128 else bytes([len(value) & 0x7F | 0x80, len(value) >> 7])
    return bytes([number << 3 | 2]) + length + value


@pytest.mark.parametrize("bad", [b"\xff\xfe", b"pvc-\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf"],
                         ids=["ff-fe", "bad-continuation", "surrogate", "overlong"])
def test_invalid_utf8_in_names_and_ids_is_refused(plugins, bad):
    # CreateVolumeRequest.name = 1; DeleteVolumeRequest.volume_id = 1; NodeUnpublishVolumeRequest
    # volume_id = 1, target_path = 2.
    for service, path, payload in [
        ("controller", "/csi.v1.Controller/CreateVolume", field(1, bad)),
        ("controller", "/csi.v1.Controller/DeleteVolume", field(1, bad)),
        ("node", "/csi.v1.Node/NodeUnpublishVolume", field(1, bad) + field(2, GOOD.encode())),
    ]:
        code, details = raw_call(plugins, service, path, payload)
        assert code == INVALID, f"{path} {bad!r}: {code} {details}"
        assert "UTF-8" in details or "utf-8" in details.lower(), details


def test_oversized_messages_and_maps_are_refused_and_serving_continues(plugins, csi):
    pb, _ = csi
    # Over gRPC's 4 MiB receive limit: refused by the transport before any handler runs.
    huge = pb.CreateVolumeRequest(name="pvc-huge", volume_capabilities=[mount(pb)],
                                  parameters={"x": "y" * (5 << 20)})
    code, _ = call(plugins, csi, "controller", "CreateVolume", huge)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    # Under the limit but absurd: a map with 20,000 entries and a 1 MiB volume id.
    many = pb.CreateVolumeRequest(name="pvc-many", volume_capabilities=[mount(pb)],
                                  parameters={f"k{i}": "v" for i in range(20000)})
    code, details = call(plugins, csi, "controller", "CreateVolume", many)
    assert code == INVALID, f"{code} {details}"
    assert len(details) < 2048, "the error does not echo the whole map"
    for service, method, request in [
        ("controller", "DeleteVolume", pb.DeleteVolumeRequest(volume_id="v" * (1 << 20))),
        ("node", "NodeUnpublishVolume", pb.NodeUnpublishVolumeRequest(volume_id="v" * (1 << 20), target_path=GOOD)),
        ("controller", "CreateVolume", pb.CreateVolumeRequest(name="n" * (1 << 20), volume_capabilities=[mount(pb)])),
    ]:
        code, details = call(plugins, csi, service, method, request)
        assert code == INVALID, f"{method}: {code} {details[:200]}"
        assert len(details) < 2048
    # Both still answer.
    assert call(plugins, csi, "node", "NodeGetCapabilities", pb.NodeGetCapabilitiesRequest())[0] == grpc.StatusCode.OK
    assert call(plugins, csi, "controller", "ControllerGetCapabilities",
                pb.ControllerGetCapabilitiesRequest())[0] == grpc.StatusCode.OK


@pytest.mark.parametrize("volume_id", ["../../v2/instances", "a/b", "%2e%2e", "x?per_page=500", "id#frag", " v"])
def test_ids_never_steer_the_cloud_api(plugins, csi, volume_id):
    """An id with path or query characters is not an id this cloud issues: refused or treated as
    absent, never sent as part of another API path."""
    pb, _ = csi
    instances_before = cloud_count(plugins, "/v2/instances", "instances")
    for method, request, absent_ok in [
        ("DeleteVolume", pb.DeleteVolumeRequest(volume_id=volume_id), True),
        ("ControllerPublishVolume", pb.ControllerPublishVolumeRequest(
            volume_id=volume_id, node_id="n1", volume_capability=mount(pb)), False),
        ("ControllerExpandVolume", pb.ControllerExpandVolumeRequest(
            volume_id=volume_id, capacity_range=pb.CapacityRange(required_bytes=1 << 30)), False),
        ("DeleteSnapshot", pb.DeleteSnapshotRequest(snapshot_id=volume_id), True),
    ]:
        code, details = call(plugins, csi, "controller", method, request)
        allowed = {INVALID, grpc.StatusCode.NOT_FOUND} | ({grpc.StatusCode.OK} if absent_ok else set())
        assert code in allowed, f"{method}({volume_id!r}): {code} {details}"
    assert cloud_count(plugins, "/v2/instances", "instances") == instances_before


def cloud_count(plugins, path, key):
    import requests
    r = requests.get(plugins["cloud"].url + path, headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
    r.raise_for_status()
    return len(r.json()[key])


def test_secrets_in_every_field_that_carries_them_never_leak(plugins, csi):
    """Each RPC with a secrets map gets one, on a call that fails (the error path is where
    secrets usually leak); neither the answer nor either plugin's log may show it."""
    pb, _ = csi
    secrets = {"api-key": SECRET, "encryption-passphrase": SECRET}
    rows = [
        ("controller", "CreateVolume", pb.CreateVolumeRequest(
            name="pvc-secret", volume_capabilities=[mount(pb)], parameters={"nonsense": "x"}, secrets=secrets)),
        ("controller", "DeleteVolume", pb.DeleteVolumeRequest(volume_id="", secrets=secrets)),
        ("controller", "ControllerPublishVolume", pb.ControllerPublishVolumeRequest(
            volume_id="nope", node_id="nope", volume_capability=mount(pb), secrets=secrets)),
        ("controller", "ControllerUnpublishVolume", pb.ControllerUnpublishVolumeRequest(
            volume_id="", node_id="nope", secrets=secrets)),
        ("controller", "ControllerExpandVolume", pb.ControllerExpandVolumeRequest(
            volume_id="nope", capacity_range=pb.CapacityRange(required_bytes=1 << 30), secrets=secrets)),
        ("controller", "CreateSnapshot", pb.CreateSnapshotRequest(
            source_volume_id="nope", name="snap-secret", secrets=secrets, parameters={"x": "y"})),
        ("controller", "DeleteSnapshot", pb.DeleteSnapshotRequest(snapshot_id="", secrets=secrets)),
        ("controller", "ListSnapshots", pb.ListSnapshotsRequest(starting_token="bad", secrets=secrets)),
        ("controller", "ValidateVolumeCapabilities", pb.ValidateVolumeCapabilitiesRequest(
            volume_id="nope", volume_capabilities=[mount(pb)], secrets=secrets)),
        ("node", "NodeStageVolume", pb.NodeStageVolumeRequest(
            volume_id="v1", publish_context={"mount_id": "never"}, staging_target_path="relative",
            volume_capability=mount(pb), volume_context={"encrypted": "true"}, secrets=secrets)),
        ("node", "NodePublishVolume", pb.NodePublishVolumeRequest(
            volume_id="v1", staging_target_path=GOOD, target_path="relative", volume_capability=mount(pb),
            secrets=secrets)),
        ("node", "NodeExpandVolume", pb.NodeExpandVolumeRequest(
            volume_id="v1", volume_path="relative", secrets=secrets)),
    ]
    for service, method, request in rows:
        code, details = call(plugins, csi, service, method, request)
        assert code != grpc.StatusCode.OK, f"{method} was meant to fail"
        assert SECRET not in details, f"{method} echoed a secret: {details}"
    for name in ("node", "controller"):
        assert SECRET not in plugins[name].output(), f"{name} logged a secret"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to try as another user")
def test_a_user_outside_the_socket_group_cannot_connect(plugins, bin_dir):
    """The sockets are 0660 root:root: a non-root user is refused by the kernel itself. The
    sockets live in a world-traversable directory, and the same user connects once the mode is
    opened up, so the refusal is the socket's mode and nothing else."""
    nobody = pwd.getpwnam("nobody")
    probe = ("import socket,sys\ns=socket.socket(socket.AF_UNIX)\n"
             "try:\n s.connect(sys.argv[1]); print('connected')\n"
             "except PermissionError: print('refused')\n")

    def as_nobody(sock):
        result = subprocess.run(["/usr/bin/python3", "-c", probe, str(sock)], capture_output=True, text=True,
                                user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[], timeout=10)
        return result.stdout.strip() or result.stderr

    directory = tempfile.mkdtemp(prefix="mooring-sock-", dir="/tmp")
    os.chmod(directory, 0o755)
    served = []
    try:
        node_sock = pathlib.Path(directory) / "node.sock"
        ctl_sock = pathlib.Path(directory) / "ctl.sock"
        served.append(Served([str(bin_dir / "csi-node"), "--endpoint", f"unix://{node_sock}", "--node-id", "n",
                              "--region", "ewr"], node_sock, pathlib.Path(directory) / "node.log").wait_ready())
        served.append(Served([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{ctl_sock}",
                              "--api-url", plugins["cloud"].url, "--region", "ewr"], ctl_sock,
                             pathlib.Path(directory) / "ctl.log", env={"VULTR_API_KEY": KEY}).wait_ready())
        for sock in (node_sock, ctl_sock):
            assert oct(os.stat(sock).st_mode & 0o777) == "0o660"
            assert as_nobody(sock) == "refused"
            root = socket.socket(socket.AF_UNIX)
            root.connect(str(sock))
            root.close()
            os.chmod(sock, 0o666)
            assert as_nobody(sock) == "connected", "control: the probe itself works"
    finally:
        for s in served:
            s.terminate()
        shutil.rmtree(directory, ignore_errors=True)
