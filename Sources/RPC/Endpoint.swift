/// Where a server listens or a client connects.
///
/// Accepted spellings: `unix:///abs/path`, `unix:/abs/path`, a bare absolute path (what CSI
/// sidecars are often given), and for tests `tcp://host:port`.
public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    public init(parsing text: String) throws(RPCError) {
        if text.hasPrefix("unix://") {
            self = try Endpoint.unixPath(String(text.dropFirst("unix://".count)), original: text)
        } else if text.hasPrefix("unix:") {
            self = try Endpoint.unixPath(String(text.dropFirst("unix:".count)), original: text)
        } else if text.hasPrefix("/") {
            self = try Endpoint.unixPath(text, original: text)
        } else if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (0...65535).contains(port), colon != rest.startIndex
            else { throw RPCError(.invalidArgument, "endpoint \(text): expected tcp://HOST:PORT") }
            self = .tcp(host: String(rest[..<colon]), port: port)
        } else {
            throw RPCError(.invalidArgument, "endpoint \(text): expected unix:///ABSOLUTE/PATH or tcp://HOST:PORT")
        }
    }

    private static func unixPath(_ path: String, original: String) throws(RPCError) -> Endpoint {
        guard path.hasPrefix("/"), path.count > 1 else {
            throw RPCError(.invalidArgument, "endpoint \(original): the socket path must be absolute")
        }
        // sockaddr_un.sun_path holds 108 bytes including the terminator.
        guard path.utf8.count < 108 else {
            throw RPCError(.invalidArgument, "endpoint \(original): socket path longer than 107 bytes")
        }
        return .unix(path: path)
    }

    /// The target string gRPC core understands.
    var coreAddress: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix://\(path)"
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        }
    }
}
