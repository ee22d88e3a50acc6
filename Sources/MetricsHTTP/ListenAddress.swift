/// A host and TCP port to listen on, parsed from `HOST:PORT` (`[::1]:PORT` for IPv6): the one
/// parser behind every `--listen` and `--metrics-address` flag.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` with a port from 0 to 65535 (0 picks a free one). An empty host (`:PORT`)
    /// is refused unless `emptyHost` names the host it stands for (upstream Kubernetes flags
    /// accept `:10258` as every address).
    public init(parsing text: String, emptyHost: String? = nil) throws(ListenAddressError) {
        guard let colon = text.lastIndex(of: ":") else { throw ListenAddressError(text) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty, let emptyHost { host = emptyHost }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ListenAddressError(text)
        }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
