import SystemIO
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
        do throws(SystemError) {
            try Syscall.run("lstat", path: path) { lstat(path, &info) }
        } catch {
            if error.isMissing { return }
            throw RPCError(.unavailable, "cannot inspect \(path): \(error.reason)")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw RPCError(.failedPrecondition, "\(path) exists and is not a socket; refusing to replace it")
        }
        if isAccepting(path) {
            throw RPCError(.failedPrecondition, "another server is already listening on \(path)")
        }
        do throws(SystemError) {
            try Syscall.run("unlink", path: path) { unlink(path) }
        } catch {
            guard error.isMissing else {
                throw RPCError(.unavailable, "cannot remove stale socket \(path): \(error.reason)")
            }
        }
    }

    static func restrict(_ path: String, mode: mode_t) throws(RPCError) {
        do throws(SystemError) {
            try Syscall.run("chmod", path: path) { chmod(path, mode) }
        } catch {
            throw RPCError(.unavailable, "cannot set mode \(String(mode, radix: 8)) on \(path): \(error.reason)")
        }
    }

    static func remove(_ path: String) {
        _ = unlink(path)
    }

    /// True when something accepts connections on the socket at `path`.
    static func isAccepting(_ path: String) -> Bool {
        guard let fd = try? Syscall.run("socket", { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) })
        else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
        }
        let connected = try? Syscall.runOnce("connect", path: path) {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
        return connected != nil
    }

    private static func makeParentDirectories(of path: String) throws(RPCError) {
        var prefix = ""
        let components = path.split(separator: "/").dropLast()
        for component in components {
            prefix += "/" + component
            do throws(SystemError) {
                try Syscall.run("mkdir", path: prefix) { mkdir(prefix, 0o755) }
            } catch {
                guard error.code == EEXIST else {
                    throw RPCError(.unavailable, "cannot create directory \(prefix): \(error.reason)")
                }
            }
        }
    }
}
