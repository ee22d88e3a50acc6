#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way Mooring makes a system call that reports failure through `errno`: the call is
/// retried while it fails with `EINTR` (a signal arrived; nothing happened), and any other failure
/// becomes a `SystemError` naming the call, the path and the error.
public enum Syscall {
    /// Runs `body`, a call returning -1 (or any negative value) and setting `errno` on failure.
    @discardableResult
    public static func run<Result: BinaryInteger>(
        _ call: @autoclosure () -> String, path: String? = nil, _ body: () -> Result
    ) throws(SystemError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemError(call(), code: code, path: path)
        }
    }

    /// Like `run`, but an `EINTR` is an error too: for `connect`, whose interrupted attempt goes on
    /// in the background, so calling it again would fail with `EALREADY`.
    @discardableResult
    public static func runOnce<Result: BinaryInteger>(
        _ call: @autoclosure () -> String, path: String? = nil, _ body: () -> Result
    ) throws(SystemError) -> Result {
        let result = body()
        if result >= 0 { return result }
        throw SystemError(call(), code: errno, path: path)
    }

    /// Runs `body`, a call that returns 0 or the error number itself (`posix_spawn`,
    /// `pthread_create`, the `posix_spawn*` helpers); `EINTR` is retried as above.
    public static func runReturningError(
        _ call: @autoclosure () -> String, path: String? = nil, _ body: () -> Int32
    ) throws(SystemError) {
        while true {
            let code = body()
            if code == 0 { return }
            if code == EINTR { continue }
            throw SystemError(call(), code: code, path: path)
        }
    }
}
