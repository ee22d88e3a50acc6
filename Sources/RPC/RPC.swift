import CGRPC
/// gRPC core server and client (issue 2).
public enum RPCModule {}
