#!/usr/bin/env python3
"""Asks a CSI plugin's Identity service what it is, from an independent gRPC client (grpcio).

    .venv/bin/python hack/dev/csi-identity.py unix:///path/to/csi.sock [...]
"""
import sys

import grpc

from csi_stubs import compile_csi_stubs


def show(pb, pb_grpc, target):
    with grpc.insecure_channel(target) as channel:
        stub = pb_grpc.IdentityStub(channel)
        info = stub.GetPluginInfo(pb.GetPluginInfoRequest(), timeout=10)
        print(f"  GetPluginInfo:         name={info.name} vendor_version={info.vendor_version}")
        caps = stub.GetPluginCapabilities(pb.GetPluginCapabilitiesRequest(), timeout=10)
        names = []
        for c in caps.capabilities:
            if c.HasField("service"):
                names.append(pb.PluginCapability.Service.Type.Name(c.service.type))
            elif c.HasField("volume_expansion"):
                names.append("VOLUME_EXPANSION_" + pb.PluginCapability.VolumeExpansion.Type.Name(c.volume_expansion.type))
        print(f"  GetPluginCapabilities: {', '.join(names) or '(none yet)'}")
        try:
            probe = stub.Probe(pb.ProbeRequest(), timeout=30)
            print(f"  Probe:                 ready={probe.ready.value if probe.HasField('ready') else True}")
        except grpc.RpcError as e:
            print(f"  Probe:                 {e.code().name}: {e.details()}")
            return False
    return True


def main():
    pb, pb_grpc = compile_csi_stubs()
    ok = True
    for target in sys.argv[1:]:
        print(target)
        ok = show(pb, pb_grpc, target) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
