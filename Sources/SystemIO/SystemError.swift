#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed: which call, on which path (when it concerns one), and the `errno`
/// it left. Its description reads `call path: reason`, e.g. `mkdir /var/lib/x: Permission denied`.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call's name as the caller wants it shown (`stat`, `statvfs`, `posix_spawn /sbin/mount`).
    public let call: String
    /// The `errno` value (or, for calls that return it, the error number returned).
    public let code: Int32
    public let path: String?

    public init(_ call: String, code: Int32, path: String? = nil) {
        self.call = call
        self.code = code
        self.path = path
    }

    /// The C library's text for `code` (`strerror`).
    public var reason: String { String(cString: strerror(code)) }

    public var description: String {
        path.map { "\(call) \($0): \(reason)" } ?? "\(call): \(reason)"
    }

    /// `ENOENT`: the path (or a directory on the way) does not exist.
    public var isMissing: Bool { code == ENOENT }
    /// `ENOTDIR`: something on the way is not a directory.
    public var isNotADirectory: Bool { code == ENOTDIR }
    /// `ENOTBLK`, which `LocalFiles.blockDevice(at:)` reports for a path that is not a block device.
    public static let notABlockDevice = ENOTBLK

    /// `EAGAIN`/`EWOULDBLOCK`: a non-blocking call would block, or a socket timeout passed.
    public var wouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }
}
