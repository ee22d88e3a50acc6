#if canImport(Glibc)
import Glibc
#endif

/// One `GET` over plain HTTP/1.1 with `Connection: close`, on a blocking socket run off the
/// cooperative pool. Enough for the link-local instance metadata service; no TLS, no redirects.
public struct PlainHTTPGet: Sendable {
    public struct Response: Sendable {
        public let status: Int
        public let body: [UInt8]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let url: String
        public let reason: String
        public init(url: String, reason: String) { (self.url, self.reason) = (url, reason) }
        public var description: String { "GET \(url): \(reason)" }
    }

    public let url: String
    public let host: String
    public let port: String
    public let target: String
    public var timeout: Duration = .seconds(5)
    /// Responses larger than this are refused.
    public var maximumBytes = 1 << 20

    /// Accepts `http://HOST[:PORT][/PATH][?QUERY]`.
    public init(url: String) throws(Failure) {
        self.url = url
        guard url.hasPrefix("http://") else { throw Failure(url: url, reason: "only http:// URLs are supported") }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let path = rest.dropFirst(authority.count)
        target = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : String(path))
        if authority.hasPrefix("[") {  // [v6]:port
            guard let close = authority.firstIndex(of: "]") else { throw Failure(url: url, reason: "bad IPv6 host") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? String(after.dropFirst()) : "80"
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = "80"
        }
        guard !host.isEmpty, let number = Int(port), (1...65535).contains(number) else {
            throw Failure(url: url, reason: "expected http://HOST[:PORT]/PATH")
        }
    }

    public func fetch() async throws -> Response {
        let request = self
        return try await Blocking.run { try request.fetchBlocking() }
    }

    func fetchBlocking() throws(Failure) -> Response {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, port, &hints, &found)
        guard rc == 0, let first = found else {
            throw Failure(url: url, reason: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let fd: Int32
            do throws(SystemError) {
                fd = try Syscall.run("socket") {
                    socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.ai_protocol)
                }
            } catch {
                lastError = error.reason
                continue
            }
            defer { close(fd) }
            var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
            if limit.tv_sec == 0 { limit.tv_usec = 200_000 }
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            // On Linux a blocking connect honours SO_SNDTIMEO.
            do throws(SystemError) {
                try Syscall.runOnce("connect") { connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) }
            } catch {
                lastError = error.description
                continue
            }
            return try exchange(fd)
        }
        throw Failure(url: url, reason: lastError)
    }

    private func exchange(_ fd: Int32) throws(Failure) -> Response {
        let request = Array("GET \(target) HTTP/1.1\r\nHost: \(host)\r\nAccept: application/json\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            do throws(SystemError) {
                sent += try Syscall.run("send") {
                    request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
            } catch {
                throw Failure(url: url, reason: error.description)
            }
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n: Int
            do throws(SystemError) {
                n = try Syscall.run("recv") { chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
            } catch {
                throw Failure(url: url, reason: error.wouldBlock ? "no answer within \(timeout)" : error.description)
            }
            if n == 0 { break }
            received.append(contentsOf: chunk[0..<n])
            guard received.count <= maximumBytes else { throw Failure(url: url, reason: "response larger than \(maximumBytes) bytes") }
        }
        return try parse(received)
    }

    func parse(_ raw: [UInt8]) throws(Failure) -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, raw.count - 3)).first(where: { raw[$0..<($0 + 4)].elementsEqual(separator) }) else {
            throw Failure(url: url, reason: "incomplete HTTP response")
        }
        let head = String(decoding: raw[..<end], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw Failure(url: url, reason: "malformed status line")
        }
        let chunked = lines.dropFirst().contains { line in
            let lower = line.lowercased()
            return lower.hasPrefix("transfer-encoding:") && lower.contains("chunked")
        }
        let body = Array(raw[(end + 4)...])
        return Response(status: status, body: chunked ? try dechunk(body) : body)
    }

    private func dechunk(_ body: [UInt8]) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = (index..<max(index, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }),
                  let size = Int(String(decoding: body[index..<lineEnd], as: UTF8.self).split(separator: ";")[0]
                                    .trimmingCharacters(in: " "), radix: 16)
            else { throw Failure(url: url, reason: "malformed chunked body") }
            index = lineEnd + 2
            if size == 0 { return out }
            guard index + size <= body.count else { throw Failure(url: url, reason: "truncated chunked body") }
            out.append(contentsOf: body[index..<(index + size)])
            index += size + 2
        }
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
