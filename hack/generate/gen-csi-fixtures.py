#!/usr/bin/env python3
"""Writes golden CSI encodings made by an independent implementation (Python protobuf, from
proto/csi.proto compiled with grpc_tools.protoc) into Tests/CSITests/Fixtures/.

Each vector is NAME.bin, the deterministic serialization of one message; methods.txt lists every
RPC's gRPC path. The Swift tests
(Tests/CSITests/GoldenVectorTests.swift) build the same values by hand, decode the files and
compare field by field, then re-encode. Keep the two in step when adding a vector.

Usage: gen-csi-fixtures.py PROTO_DIR OUT_DIR
"""
import importlib
import os
import sys
import tempfile

from grpc_tools import protoc
import grpc_tools


def compile_csi(proto_dir, work):
    wkt = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    rc = protoc.main(["protoc", f"-I{proto_dir}", f"-I{wkt}", f"--python_out={work}",
                      os.path.join(proto_dir, "csi.proto")])
    if rc != 0:
        sys.exit("gen-csi-fixtures: protoc failed")
    sys.path.insert(0, work)
    return importlib.import_module("csi_pb2")


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def vectors(csi):
    """(name, message or raw bytes) pairs."""
    VC = csi.VolumeCapability
    mount = VC(mount=VC.MountVolume(fs_type="ext4", mount_flags=["noatime", "discard"],
                                    volume_mount_group="2000"),
               access_mode=VC.AccessMode(mode=VC.AccessMode.SINGLE_NODE_WRITER))
    block = VC(block=VC.BlockVolume(),
               access_mode=VC.AccessMode(mode=VC.AccessMode.MULTI_NODE_MULTI_WRITER))
    zone_a = csi.Topology(segments={"topology.mooring.dev/region": "ewr", "zone": "a"})
    zone_b = csi.Topology(segments={"topology.mooring.dev/region": "ewr", "zone": "b"})

    yield "create_volume_request", csi.CreateVolumeRequest(
        name="pvc-7e1f\u00e4\u65e5",
        capacity_range=csi.CapacityRange(required_bytes=10 << 30, limit_bytes=20 << 30),
        volume_capabilities=[mount, block],
        parameters={"block_type": "high_perf", "disk_type": "nvme"},
        secrets={"token": "s3cr3t"},
        volume_content_source=csi.VolumeContentSource(
            snapshot=csi.VolumeContentSource.SnapshotSource(snapshot_id="snap-1")),
        accessibility_requirements=csi.TopologyRequirement(requisite=[zone_a, zone_b],
                                                           preferred=[zone_b]),
        mutable_parameters={"iops": "3000"},
    )

    yield "create_volume_response", csi.CreateVolumeResponse(volume=csi.Volume(
        capacity_bytes=9223372036854775807,
        volume_id="vol-0001",
        volume_context={"mount_id": "abc-123"},
        content_source=csi.VolumeContentSource(
            volume=csi.VolumeContentSource.VolumeSource(volume_id="vol-0000")),
        accessible_topology=[zone_a],
    ))

    yield "probe_response_unset", csi.ProbeResponse()
    yield "probe_response_false", csi.ProbeResponse(ready=csi.google_dot_protobuf_dot_wrappers__pb2.BoolValue(value=False))
    yield "probe_response_true", csi.ProbeResponse(ready=csi.google_dot_protobuf_dot_wrappers__pb2.BoolValue(value=True))

    Int64Value = csi.google_dot_protobuf_dot_wrappers__pb2.Int64Value
    yield "get_capacity_response", csi.GetCapacityResponse(
        available_capacity=-1, maximum_volume_size=Int64Value(value=0))
    yield "get_capacity_response_both", csi.GetCapacityResponse(
        available_capacity=1 << 40, maximum_volume_size=Int64Value(value=1 << 42),
        minimum_volume_size=Int64Value(value=1 << 30))

    PC = csi.PluginCapability
    unknown_service = PC(service=PC.Service())
    unknown_service.service.type = 99  # not in the schema: must round-trip
    yield "get_plugin_capabilities_response", csi.GetPluginCapabilitiesResponse(capabilities=[
        PC(service=PC.Service(type=PC.Service.CONTROLLER_SERVICE)),
        PC(service=PC.Service(type=PC.Service.VOLUME_ACCESSIBILITY_CONSTRAINTS)),
        PC(volume_expansion=PC.VolumeExpansion(type=PC.VolumeExpansion.ONLINE)),
        PC(),
        unknown_service,
    ])

    CSC = csi.ControllerServiceCapability
    negative = CSC(rpc=CSC.RPC())
    negative.rpc.type = -7  # negative enum values take ten bytes on the wire
    yield "controller_get_capabilities_response", csi.ControllerGetCapabilitiesResponse(capabilities=[
        CSC(rpc=CSC.RPC(type=t)) for t in
        (CSC.RPC.CREATE_DELETE_VOLUME, CSC.RPC.PUBLISH_UNPUBLISH_VOLUME, CSC.RPC.LIST_VOLUMES,
         CSC.RPC.EXPAND_VOLUME, CSC.RPC.MODIFY_VOLUME)
    ] + [negative])

    Timestamp = csi.google_dot_protobuf_dot_timestamp__pb2.Timestamp
    yield "list_snapshots_response", csi.ListSnapshotsResponse(entries=[
        csi.ListSnapshotsResponse.Entry(snapshot=csi.Snapshot(
            size_bytes=5 << 30, snapshot_id="snap-1", source_volume_id="vol-0001",
            creation_time=Timestamp(seconds=1767225600, nanos=123456789), ready_to_use=True,
            group_snapshot_id="group-1")),
        csi.ListSnapshotsResponse.Entry(snapshot=csi.Snapshot(
            snapshot_id="snap-2", source_volume_id="vol-0002",
            creation_time=Timestamp(seconds=0, nanos=0))),
        csi.ListSnapshotsResponse.Entry(),
    ], next_token="token-2")

    yield "list_volumes_response", csi.ListVolumesResponse(entries=[
        csi.ListVolumesResponse.Entry(
            volume=csi.Volume(capacity_bytes=1 << 30, volume_id="vol-0001"),
            status=csi.ListVolumesResponse.VolumeStatus(
                published_node_ids=["node-a", "node-b"],
                volume_condition=csi.VolumeCondition(abnormal=True, message="I/O errors"))),
    ], next_token="")

    yield "node_publish_volume_request", csi.NodePublishVolumeRequest(
        volume_id="vol-0001", publish_context={"devicePath": "/dev/disk/by-id/virtio-abc"},
        staging_target_path="/var/lib/kubelet/staging/vol-0001",
        target_path="/var/lib/kubelet/pods/p/volumes/vol-0001/mount",
        volume_capability=mount, readonly=True, secrets={}, volume_context={"fsType": "xfs"})

    yield "node_get_info_response", csi.NodeGetInfoResponse(
        node_id="instance-42", max_volumes_per_node=11, accessible_topology=zone_a)

    yield "get_metadata_delta_response", csi.GetMetadataDeltaResponse(
        block_metadata_type=csi.VARIABLE_LENGTH, volume_capacity_bytes=1 << 34,
        block_metadata=[csi.BlockMetadata(byte_offset=0, size_bytes=4096),
                        csi.BlockMetadata(byte_offset=1 << 33, size_bytes=1 << 20)])

    # Unknown-field tolerance: a GetPluginInfoResponse followed by fields 99 (varint),
    # 100 (length-delimited), 101 (fixed64) and 102 (fixed32) that the schema lacks.
    info = csi.GetPluginInfoResponse(name="csi.mooring.dev", vendor_version="0.1.0",
                                     manifest={"url": "https://mooring.dev"})
    unknown = (varint(99 << 3 | 0) + varint(300)
               + varint(100 << 3 | 2) + varint(5) + b"hello"
               + varint(101 << 3 | 1) + bytes(8)
               + varint(102 << 3 | 5) + bytes(4))
    yield "get_plugin_info_response_unknown_fields", info.SerializeToString(deterministic=True) + unknown
    yield "get_plugin_info_response", info


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-csi-fixtures.py PROTO_DIR OUT_DIR")
    proto_dir, out = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as work:
        csi = compile_csi(proto_dir, work)
        os.makedirs(out, exist_ok=True)
        # Every RPC as "<gRPC path> <unary|server-streaming>", from Python's view of the schema.
        with open(os.path.join(out, "methods.txt"), "w") as f:
            for service in csi.DESCRIPTOR.services_by_name.values():
                for method in service.methods:
                    kind = "server-streaming" if method.server_streaming else "unary"
                    f.write(f"/{service.full_name}/{method.name} {kind}\n")
        for name, value in vectors(csi):
            data = value if isinstance(value, bytes) else value.SerializeToString(deterministic=True)
            if not isinstance(value, bytes):
                # A vector must survive Python's own round trip before it is worth comparing.
                again = type(value).FromString(data)
                assert again == value, name
            with open(os.path.join(out, name + ".bin"), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
