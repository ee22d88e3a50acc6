import Glibc
import SystemIO
import Testing

@Suite struct SyscallTests {
    @Test func aFailedCallNamesTheCallThePathAndTheReason() {
        let error = #expect(throws: SystemError.self) {
            try Syscall.run("open", path: "/nonexistent/x") { open("/nonexistent/x", O_RDONLY) }
        }
        #expect(error?.isMissing == true)
        #expect(error?.description == "open /nonexistent/x: No such file or directory")
        #expect(SystemError("poll", code: EINVAL).description == "poll: Invalid argument")
    }

    @Test func anInterruptedCallIsRetriedAndOtherErrorsAreNot() throws {
        var calls = 0
        let result = try Syscall.run("read") { () -> Int in
            calls += 1
            if calls < 3 { errno = EINTR; return -1 }
            return 7
        }
        #expect(result == 7 && calls == 3)
        calls = 0
        #expect(throws: SystemError("write", code: EPIPE)) {
            try Syscall.run("write") { () -> Int in calls += 1; errno = EPIPE; return -1 }
        }
        #expect(calls == 1)
        #expect(throws: SystemError("connect", code: EINTR)) {
            try Syscall.runOnce("connect") { () -> Int32 in errno = EINTR; return -1 }
        }
        #expect(throws: SystemError("posix_spawn", code: ENOENT)) { try Syscall.runReturningError("posix_spawn") { ENOENT } }
    }
}

@Suite struct CommandRunnerTests {
    @Test func aProgramThatIgnoresItsInputDoesNotKillUsAndNothingIsLeftBehind() async throws {
        // 1 MiB is far more than a pipe holds: the write meets a pipe whose reader has gone
        // (EPIPE), which raises SIGPIPE in the writing thread. The runner blocks it in that thread
        // for the call only (it used to ignore SIGPIPE process-wide; that disposition is not
        // checked here, since swift-nio in other suites of this process may set it itself).
        var maskBefore = sigset_t(), maskAfter = sigset_t(), pending = sigset_t()
        pthread_sigmask(SIG_SETMASK, nil, &maskBefore)
        let output = try CommandRunner().runBlocking(["true"], input: [UInt8](repeating: 65, count: 1 << 20))
        #expect(output.status == 0)
        pthread_sigmask(SIG_SETMASK, nil, &maskAfter)
        #expect(sigismember(&maskAfter, SIGPIPE) == sigismember(&maskBefore, SIGPIPE))
        sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0)
        // The input reaches a program that reads it.
        let echoed = try await CommandRunner().run(["cat"], input: Array("hello".utf8))
        #expect(echoed.stdout == "hello")
    }

    @Test func failuresSayWhatHappened() async throws {
        let runner = CommandRunner()
        let exited = await #expect(throws: CommandError.self) { try await runner.run(["sh", "-c", "echo oops >&2; exit 3"]) }
        #expect(exited?.description == "sh -c echo oops >&2; exit 3 exited with status 3: oops")
        #expect(try await runner.runAllowingFailure(["sh", "-c", "exit 4"]).status == 4)
        let hung = await #expect(throws: CommandError.self) { try await runner.run(["sleep", "5"], timeout: .milliseconds(200)) }
        #expect(hung?.reason == .timedOut(.milliseconds(200)))
        let missing = await #expect(throws: CommandError.self) { try await runner.run(["no-such-tool-here"]) }
        #expect(missing?.reason == .notFound(runner.searchPath))
        // Killed by a signal: 128 + the signal, as a shell says.
        #expect(try runner.runBlocking(["sh", "-c", "kill -9 $$"]).status == 137)
    }

    @Test func theProgramGetsNoDescriptorOfOurs() throws {
        let fd = open("/dev/null", O_RDONLY)  // without O_CLOEXEC on purpose
        defer { close(fd) }
        #expect(fd > 2)
        // The shell's own descriptors (not ls's, which has the directory open).
        let listing = try CommandRunner().runBlocking(["sh", "-c", "ls /proc/$$/fd"]).stdout
        #expect(listing.split(separator: "\n") == ["0", "1", "2"])
    }
}

@Suite struct LocalFilesTests {
    @Test func filesAreCreatedInspectedAndRemoved() throws {
        var template = Array("/tmp/systemio-XXXXXX".utf8CString)
        let root = String(cString: try #require(mkdtemp(&template)))
        defer { _ = try? CommandRunner().runBlocking(["rm", "-rf", root]) }
        try LocalFiles.makeDirectories(root + "/a/b")
        #expect(try LocalFiles.kind(root + "/a/b") == .directory)
        try LocalFiles.makeFile(root + "/a/f")
        #expect(try LocalFiles.kind(root + "/a/f") == .file)
        #expect(try LocalFiles.kind(root + "/a/f/below") == .missing)
        let blocked = #expect(throws: SystemError.self) { try LocalFiles.makeDirectories(root + "/a/f/c") }
        #expect(blocked?.call == "mkdir" && blocked?.isNotADirectory == true)
        let orphan = #expect(throws: SystemError.self) { try LocalFiles.makeFile(root + "/none/f") }
        #expect(orphan?.call == "create" && orphan?.isMissing == true)
        try LocalFiles.remove(root + "/a/f")
        try LocalFiles.remove(root + "/a/f")
        try LocalFiles.remove(root + "/a/b")
        #expect(try LocalFiles.kind(root + "/a/b") == .missing)
        #expect(try LocalFiles.blockDevice(at: root + "/a/b") == nil)
        #expect(throws: SystemError.self) { try LocalFiles.blockDevice(at: root) }
        #expect(try LocalFiles.statistics(root).totalBytes > 0)
        #expect(LocalFiles.parent(of: "/a/b") == "/a" && LocalFiles.parent(of: "/a") == "/")
    }

    @Test func procFilesAreReadWhole() throws {
        // /proc files report size 0 and come a page at a time; the whole table must arrive.
        let text = try LocalFiles.read("/proc/self/maps")
        #expect(text.utf8.count > 4096 && text.hasSuffix("\n"))
    }
}
