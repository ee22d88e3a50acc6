import CSystemIO
#if canImport(Glibc)
import Glibc
#endif

/// Runs external programs: the node service's (mount, mkfs, blkid, resize2fs, ...) and the local
/// cloud's (losetup, truncate, ip, ...). Every command goes through here: the program runs with no shell, a bounded run time (killed when it
/// passes), optional bytes on its standard input, and a failure that names the command, its exit
/// status and what it printed on standard error.
public struct CommandRunner: Sendable {
    /// Directories searched for programs named without a slash.
    public var searchPath: String
    /// Run time allowed when the caller names none.
    public var defaultTimeout: Duration

    /// This process's `PATH`, or the usual system directories when it has none.
    public static var defaultSearchPath: String {
        getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
    }

    public init(searchPath: String? = nil, defaultTimeout: Duration = .seconds(120)) {
        self.searchPath = searchPath ?? Self.defaultSearchPath
        self.defaultTimeout = defaultTimeout
    }

    /// Runs `argv` off the cooperative pool and returns its output, or throws `CommandError`
    /// (non-zero exit, timeout, or a program that could not be started).
    @discardableResult
    public func run(_ argv: [String], input: [UInt8]? = nil, timeout: Duration? = nil) async throws -> CommandOutput {
        let output = try await Blocking.run { try self.runBlocking(argv, input: input, timeout: timeout ?? self.defaultTimeout) }
        guard output.status == 0 else {
            throw CommandError(command: argv, reason: .exited(output.status), stderr: output.stderr)
        }
        return output
    }

    /// Like `run`, but a non-zero exit status is returned rather than thrown (for programs such as
    /// blkid whose exit status carries an answer).
    public func runAllowingFailure(_ argv: [String], input: [UInt8]? = nil, timeout: Duration? = nil) async throws -> CommandOutput {
        try await Blocking.run { try self.runBlocking(argv, input: input, timeout: timeout ?? self.defaultTimeout) }
    }

    /// Runs `argv` on the calling thread, which it blocks (call it from `Blocking.run`, or from a
    /// thread of your own), and returns its output whatever the exit status; throws `CommandError`
    /// for a timeout or a program that could not be started.
    public func runBlocking(_ argv: [String], input: [UInt8]? = nil, timeout: Duration? = nil) throws(CommandError) -> CommandOutput {
        precondition(!argv.isEmpty, "empty command")
        let timeout = timeout ?? defaultTimeout
        guard let executable = resolve(argv[0]) else {
            throw CommandError(command: argv, reason: .notFound(searchPath), stderr: "")
        }
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        var pid: pid_t = 0
        do throws(SystemError) {
            // Close-on-exec from the start (pipe2), so a program another thread spawns meanwhile
            // inherits none of them.
            try Syscall.run("pipe") { csystemio_pipe_cloexec(&stdinPipe) }
            try Syscall.run("pipe") { csystemio_pipe_cloexec(&stdoutPipe) }
            try Syscall.run("pipe") { csystemio_pipe_cloexec(&stderrPipe) }

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
            posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
            // Nothing else reaches the program: a descriptor some other thread opened without
            // close-on-exec (a file inside a volume, say) would otherwise keep that volume busy
            // for as long as the program runs.
            _ = csystemio_spawn_close_from(&actions, 3)

            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            // Its own process group, so a timeout kills the program and anything it started;
            // default signal dispositions and an empty mask, whatever the server set for itself.
            var defaults = sigset_t(), empty = sigset_t()
            sigfillset(&defaults)
            sigemptyset(&empty)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

            // A minimal, predictable environment: the C locale so messages read the same
            // everywhere, and the search path.
            let environment = ["PATH=\(searchPath)", "LC_ALL=C"]
            try Syscall.runReturningError("posix_spawn \(executable)") {
                withCStrings(argv) { cArgv in
                    withCStrings(environment) { cEnv in
                        posix_spawn(&pid, executable, &actions, &attributes, cArgv, cEnv)
                    }
                }
            }
        } catch {
            closeAll(stdinPipe + stdoutPipe + stderrPipe)
            throw CommandError(command: argv, reason: .system(error.call, error.code), stderr: "")
        }
        close(stdinPipe[0]); close(stdoutPipe[1]); close(stderrPipe[1])

        // A program that exits before reading all its input must not kill this process with
        // SIGPIPE: the signal is blocked in this thread while it writes (the write fails with
        // EPIPE instead), and nothing changes for the rest of the process.
        var savedMask = sigset_t()
        if input != nil { csystemio_block_sigpipe(&savedMask) }
        defer { if input != nil { csystemio_restore_sigpipe(&savedMask) } }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var out: [UInt8] = [], err: [UInt8] = []
        var timedOut = false
        var pending = input ?? []
        var stdinFD = stdinPipe[1]
        if pending.isEmpty { close(stdinFD); stdinFD = -1 } else { _ = fcntl(stdinFD, F_SETFL, O_NONBLOCK) }
        var open: [Int32] = [stdoutPipe[0], stderrPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || stdinFD >= 0 {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero {
                timedOut = true
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            let millis = Int32(min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 1000))
            // An interrupted poll comes back to the deadline check above.
            guard (try? Syscall.run("poll") { poll(&fds, nfds_t(fds.count), millis) }) != nil else { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinFD {
                    do throws(SystemError) {
                        let written = try Syscall.run("write") { pending.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) } }
                        pending.removeFirst(written)
                    } catch let error where error.wouldBlock {
                        // The pipe is full after all: wait for the next POLLOUT.
                    } catch {
                        // EPIPE: the program stopped reading; the rest of its input is dropped.
                        pending.removeAll()
                    }
                    if pending.isEmpty { close(stdinFD); stdinFD = -1 }
                    continue
                }
                let count: Int
                do throws(SystemError) {
                    count = try Syscall.run("read") { buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) } }
                } catch let error where error.wouldBlock {
                    continue
                } catch {
                    count = 0
                }
                if count > 0 {
                    // Output is bounded: the programs run here print little, and a runaway one
                    // must not exhaust memory.
                    if entry.fd == stdoutPipe[0] {
                        if out.count < 4 << 20 { out.append(contentsOf: buffer[0..<count]) }
                    } else if err.count < 64 << 10 {
                        err.append(contentsOf: buffer[0..<count])
                    }
                } else {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        if timedOut { kill(-pid, SIGKILL) }
        for fd in open { close(fd) }
        if stdinFD >= 0 { close(stdinFD) }
        var status: Int32 = 0
        _ = try? Syscall.run("waitpid") { waitpid(pid, &status, 0) }
        let stderrText = String(decoding: err, as: UTF8.self)
        if timedOut {
            throw CommandError(command: argv, reason: .timedOut(timeout), stderr: stderrText)
        }
        return CommandOutput(status: csystemio_exit_status(status), stdout: String(decoding: out, as: UTF8.self), stderr: stderrText)
    }

    /// The absolute path of `program`: itself when it contains a slash, else the first executable
    /// of that name in `searchPath`.
    func resolve(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        return Self.find(program, in: searchPath)
    }

    /// The first executable regular file named `program` in the colon-separated `searchPath`.
    public static func find(_ program: String, in searchPath: String) -> String? {
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}
private func closeAll(_ fds: [Int32]) {
    for fd in fds where fd >= 0 { close(fd) }
}

/// Calls `body` with a NULL-terminated C array of the strings, valid only during the call.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}

/// `text` without leading and trailing spaces and tabs.
package func trimmedSpaces(_ text: some StringProtocol) -> String {
    var rest = Substring(text)
    while let first = rest.first, first == " " || first == "\t" { rest.removeFirst() }
    while let last = rest.last, last == " " || last == "\t" { rest.removeLast() }
    return String(rest)
}
