#if canImport(Glibc)
import Glibc
#endif
import RPC
import Synchronization

/// Held while pipes are created and a program is spawned (see `runBlocking`).
private let spawnLock = Mutex(())

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because its
/// declaration needs `_GNU_SOURCE`, which the Glibc module does not define; nil where missing.
private let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
        return nil
    }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
}()

/// Runs the external programs the node service needs (mount, mkfs, blkid, resize2fs, ...). Every
/// command goes through here: the program runs with no shell, a bounded run time (killed when it
/// passes), optional bytes on its standard input, and a failure that names the command, its exit
/// status and what it printed on standard error.
public struct CommandRunner: Sendable {
    /// Directories searched for programs named without a slash.
    public var searchPath: String
    /// Run time allowed when the caller names none.
    public var defaultTimeout: Duration

    public init(searchPath: String? = nil, defaultTimeout: Duration = .seconds(120)) {
        self.searchPath = searchPath ?? (getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin")
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

    /// Blocks the calling thread; use only from `Blocking.run`.
    func runBlocking(_ argv: [String], input: [UInt8]?, timeout: Duration) throws -> CommandOutput {
        precondition(!argv.isEmpty, "empty command")
        guard let executable = resolve(argv[0]) else {
            throw CommandError(command: argv, reason: .notFound(searchPath), stderr: "")
        }
        // pipe2(O_CLOEXEC) is not visible to Swift (it needs _GNU_SOURCE), so pipes are made with
        // pipe() and marked close-on-exec under the same lock as the spawn: no other runner can
        // spawn between the two and leak these descriptors into its child.
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        var pid: pid_t = 0
        let spawned: Int32 = try spawnLock.withLock { _ in
            for index in 0..<3 {
                let made = index == 0 ? pipe(&stdinPipe) : index == 1 ? pipe(&stdoutPipe) : pipe(&stderrPipe)
                guard made == 0 else {
                    let code = errno
                    closeAll(stdinPipe + stdoutPipe + stderrPipe)
                    throw CommandError.system(argv, "pipe", code)
                }
            }
            for fd in stdinPipe + stdoutPipe + stderrPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
            posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
            // Nothing else reaches the program: a descriptor some other thread opened without
            // close-on-exec (a file inside a volume, say) would otherwise keep that volume busy
            // for as long as the program runs.
            _ = addCloseFrom?(&actions, 3)

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
            return withCStrings(argv) { cArgv in
                withCStrings(environment) { cEnv in
                    posix_spawn(&pid, executable, &actions, &attributes, cArgv, cEnv)
                }
            }
        }
        close(stdinPipe[0]); close(stdoutPipe[1]); close(stderrPipe[1])
        guard spawned == 0 else {
            close(stdinPipe[1]); close(stdoutPipe[0]); close(stderrPipe[0])
            throw CommandError.system(argv, "posix_spawn \(executable)", spawned)
        }

        // A program that exits before reading all its input must not kill this process with SIGPIPE.
        if input != nil { signal(SIGPIPE, SIG_IGN) }
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
            let ready = poll(&fds, nfds_t(fds.count), millis)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinFD {
                    let written = pending.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
                    if written > 0 { pending.removeFirst(written) }
                    if written < 0 && errno != EAGAIN && errno != EINTR || pending.isEmpty {
                        close(stdinFD); stdinFD = -1
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    // Output is bounded: the programs run here print little, and a runaway one
                    // must not exhaust memory.
                    if entry.fd == stdoutPipe[0] {
                        if out.count < 4 << 20 { out.append(contentsOf: buffer[0..<count]) }
                    } else if err.count < 64 << 10 {
                        err.append(contentsOf: buffer[0..<count])
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        if timedOut { kill(-pid, SIGKILL) }
        for fd in open { close(fd) }
        if stdinFD >= 0 { close(stdinFD) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let stderrText = String(decoding: err, as: UTF8.self)
        if timedOut {
            throw CommandError(command: argv, reason: .timedOut(timeout), stderr: stderrText)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros the importer drops.
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return CommandOutput(status: exitStatus, stdout: String(decoding: out, as: UTF8.self), stderr: stderrText)
    }

    /// The absolute path of `program`: itself when it contains a slash, else the first executable
    /// of that name in `searchPath`.
    func resolve(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        return NodeToolsCheck.find(program, in: searchPath)
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
func trimmedSpaces(_ text: some StringProtocol) -> String {
    var rest = Substring(text)
    while let first = rest.first, first == " " || first == "\t" { rest.removeFirst() }
    while let last = rest.last, last == " " || last == "\t" { rest.removeLast() }
    return String(rest)
}
