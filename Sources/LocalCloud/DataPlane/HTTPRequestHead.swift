import Foundation
import NIOCore

/// What the load balancer reads from the first request on an HTTP frontend: enough to redirect
/// to https and to honour a sticky-session cookie. Not a full HTTP parser.
struct SniffedRequestHead: Equatable {
    var path: String
    var host: String?
    var cookies: [String: String]

    /// Heads larger than this are not waited for: the connection is routed without one.
    static let maximumBytes = 16 * 1024

    /// The head at the start of `bytes`, or nil while its end (an empty line) has not arrived.
    static func parse(_ bytes: ByteBuffer) -> SniffedRequestHead? {
        let view = bytes.readableBytesView
        guard let end = view.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A]) else { return nil }
        let text = String(decoding: view[..<end.lowerBound], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).makeIterator()
        let requestLine = lines.next()?.split(separator: " ") ?? []
        var head = SniffedRequestHead(path: requestLine.count >= 2 ? String(requestLine[1]) : "/", host: nil, cookies: [:])
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "host": head.host = value
            case "cookie":
                for pair in value.split(separator: ";") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { continue }
                    head.cookies[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(in: .whitespaces)
                }
            default: break
            }
        }
        return head
    }

    /// `https://host[:port]path` for an `ssl_redirect` answer.
    func redirectLocation(httpsPort: Int, fallbackHost: String) -> String {
        var host = host ?? fallbackHost
        if host.hasPrefix("[") {
            if let close = host.firstIndex(of: "]") { host = String(host[...close]) }
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        return "https://\(host)\(httpsPort == 443 ? "" : ":\(httpsPort)")\(path.hasPrefix("/") ? path : "/")"
    }
}
