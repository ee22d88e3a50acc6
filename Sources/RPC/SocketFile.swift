#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Unix socket file a server listens on: stale files from a crashed run are replaced, a live
/// server's socket is never stolen, and the file is restricted to owner and group.
enum SocketFile {
    /// Makes `path` ready to bind: creates missing parent directories, removes a stale socket,
    /// and refuses when a server still answers there or the path is not a socket.
    static func prepare(_ path: String) throws(RPCError) {
        try makeParentDirectories(of: path)
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw RPCError(.unavailable, "cannot inspect \(path): \(errnoText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw RPCError(.failedPrecondition, "\(path) exists and is not a socket; refusing to replace it")
        }
        if isAccepting(path) {
            throw RPCError(.failedPrecondition, "another server is already listening on \(path)")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw RPCError(.unavailable, "cannot remove stale socket \(path): \(errnoText())")
        }
    }

    static func restrict(_ path: String, mode: mode_t) throws(RPCError) {
        guard chmod(path, mode) == 0 else {
            throw RPCError(.unavailable, "cannot set mode \(String(mode, radix: 8)) on \(path): \(errnoText())")
        }
    }

    static func remove(_ path: String) {
        _ = unlink(path)
    }

    /// True when something accepts connections on the socket at `path`.
    static func isAccepting(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return rc == 0
    }

    private static func makeParentDirectories(of path: String) throws(RPCError) {
        var prefix = ""
        let components = path.split(separator: "/").dropLast()
        for component in components {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw RPCError(.unavailable, "cannot create directory \(prefix): \(errnoText())")
            }
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
