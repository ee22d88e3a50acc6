"""Python protobuf + gRPC stubs for proto/csi.proto, compiled on the fly by grpcio-tools (an
implementation independent of Mooring's protobuf-c code). Used by hack/dev/csi-identity.py and the
interop tests."""
import importlib
import pathlib
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]


def compile_csi_stubs(out: pathlib.Path | None = None):
    """Returns the (csi_pb2, csi_pb2_grpc) modules."""
    import grpc_tools
    from grpc_tools import protoc
    out = out or pathlib.Path(tempfile.mkdtemp(prefix="mooring-csi-stubs-"))
    include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    rc = protoc.main(["protoc", f"-I{REPO / 'proto'}", f"-I{include}", f"--python_out={out}",
                      f"--grpc_python_out={out}", str(REPO / "proto" / "csi.proto")])
    if rc != 0:
        raise RuntimeError("grpc_tools.protoc failed on proto/csi.proto")
    sys.path.insert(0, str(out))
    return importlib.import_module("csi_pb2"), importlib.import_module("csi_pb2_grpc")
