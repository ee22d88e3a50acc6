@testable import RPC
import Synchronization
import SystemIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct FailingDisk: Error, CustomStringConvertible {
    var description: String { "disk on fire" }
}

@Suite("RPC server and client over a Unix socket")
struct RPCServerTests {
    @Test func echoRoundTripsThroughTheRealSocket() async throws {
        let t = try TestServer.start { $0.register("/t.T/Echo") { request, _ in request } }
        #expect(try await t.client.unary("/t.T/Echo", bytes("hello")) == bytes("hello"))
        #expect(try await t.client.unary("/t.T/Echo", []) == [])
        let large = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try await t.client.unary("/t.T/Echo", large) == large)
        await t.stop()
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let t = try TestServer.start { $0.register("/t.T/Echo") { request, _ in request } }
        await #expect(throws: RPCError(.unimplemented, "unknown method /t.T/Missing")) {
            try await t.client.unary("/t.T/Missing", [])
        }
        await t.stop()
    }

    @Test func thrownStatusReachesTheClientUnchanged() async throws {
        let t = try TestServer.start {
            $0.register("/t.T/Fail") { _, _ in throw RPCError(.failedPrecondition, "volume vol-1 is attached to node-2") }
        }
        await #expect(throws: RPCError(.failedPrecondition, "volume vol-1 is attached to node-2")) {
            try await t.client.unary("/t.T/Fail", [])
        }
        await t.stop()
    }

    @Test func otherErrorsGoThroughTheMapperDefaultingToInternal() async throws {
        let plain = try TestServer.start { $0.register("/t.T/Throw") { _, _ in throw FailingDisk() } }
        await #expect(throws: RPCError(.internal, "disk on fire")) { try await plain.client.unary("/t.T/Throw", []) }
        await plain.stop()

        let mapped = try TestServer.start(configure: { configuration in
            configuration.mapError = { error in RPCError(.unavailable, "mapped: \(error)") }
        }, register: { $0.register("/t.T/Throw") { _, _ in throw FailingDisk() } })
        await #expect(throws: RPCError(.unavailable, "mapped: disk on fire")) { try await mapped.client.unary("/t.T/Throw", []) }
        await mapped.stop()
    }

    @Test func deadlineFailsTheCallAndCancelsTheHandler() async throws {
        let sawCancellation = Counter()
        let sawDeadline = Mutex<ContinuousClock.Instant?>(nil)
        let t = try TestServer.start {
            $0.register("/t.T/Slow") { _, context in
                sawDeadline.withLock { $0 = context.deadline }
                do { try await Task.sleep(for: .seconds(30)) } catch { sawCancellation.increment(); throw error }
                return []
            }
        }
        let started = ContinuousClock.now
        #expect(await statusCode { try await t.client.unary("/t.T/Slow", [], timeout: .seconds(1)) } == .deadlineExceeded)
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(await eventually { sawCancellation.count == 1 })
        // The handler was told when the client would give up.
        let deadline = try #require(sawDeadline.withLock { $0 })
        #expect(deadline < started + .seconds(5))
        await t.stop()
    }

    @Test func cancellingTheCallingTaskCancelsTheServerHandler() async throws {
        let sawCancellation = Counter()
        let entered = Counter()
        let t = try TestServer.start {
            $0.register("/t.T/Slow") { _, _ in
                entered.increment()
                do { try await Task.sleep(for: .seconds(30)) } catch { sawCancellation.increment(); throw error }
                return []
            }
        }
        let call = Task { try await t.client.unary("/t.T/Slow", []) }
        #expect(await eventually { entered.count == 1 })
        call.cancel()
        let result = await call.result
        #expect(throws: RPCError.self) { try result.get() }
        #expect(await eventually { sawCancellation.count == 1 })
        await t.stop()
    }

    @Test func observerSeesEveryCallWithItsCode() async throws {
        let records = Mutex<[CallRecord]>([])
        let t = try TestServer.start(configure: { configuration in
            configuration.observer = { record in records.withLock { $0.append(record) } }
        }, register: { server in
            server.register("/t.T/Echo") { request, _ in request }
            server.register("/t.T/Fail") { _, _ in throw RPCError(.notFound, "gone") }
        })
        _ = try await t.client.unary("/t.T/Echo", [1])
        _ = try? await t.client.unary("/t.T/Fail", [])
        _ = try? await t.client.unary("/t.T/Nope", [])
        #expect(await eventually { records.withLock { $0.count } == 3 })
        let seen = records.withLock { $0.map { "\($0.method) \($0.code)" } }.sorted()
        #expect(seen == ["/t.T/Echo OK", "/t.T/Fail NOT_FOUND", "/t.T/Nope UNIMPLEMENTED"])
        await t.stop()
    }

    @Test func blockingHandlersDoNotStallOtherCalls() async throws {
        let t = try TestServer.start { server in
            server.register("/t.T/Block") { _, _ in
                await Blocking.run { _ = usleep(1_500_000) }
                return bytes("blocked")
            }
            server.register("/t.T/Echo") { request, _ in request }
        }
        let slowDone = Counter()
        let slow = (0..<4).map { _ in
            Task { _ = try await t.client.unary("/t.T/Block", []); slowDone.increment() }
        }
        try await Task.sleep(for: .milliseconds(100))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<100 {
                group.addTask {
                    let answer = try await t.client.unary("/t.T/Echo", bytes("\(i)"))
                    #expect(answer == bytes("\(i)"))
                }
            }
            try await group.waitForAll()
        }
        #expect(slowDone.count == 0, "fast calls waited for blocking ones")
        for task in slow { try await task.value }
        #expect(slowDone.count == 4)
        await t.stop()
    }

    @Test func shutdownLetsInFlightCallsFinishThenRemovesTheSocket() async throws {
        let entered = Counter()
        let t = try TestServer.start {
            $0.register("/t.T/Slow") { _, _ in
                entered.increment()
                try await Task.sleep(for: .milliseconds(500))
                return bytes("done")
            }
        }
        #expect(exists(t.socketPath))
        let call = Task { try await t.client.unary("/t.T/Slow", []) }
        #expect(await eventually { entered.count == 1 })
        await t.server.shutdown(grace: .seconds(10))
        #expect(try await call.value == bytes("done"))
        #expect(!exists(t.socketPath))
        #expect(!t.server.isServing)
        // A second shutdown is harmless.
        await t.server.shutdown(grace: .seconds(1))
        await t.stop()
    }

    @Test func shutdownCancelsCallsThatOutliveTheGracePeriod() async throws {
        let entered = Counter()
        let t = try TestServer.start {
            $0.register("/t.T/Stuck") { _, _ in
                entered.increment()
                try await Task.sleep(for: .seconds(60))
                return []
            }
        }
        let call = Task { try await t.client.unary("/t.T/Stuck", []) }
        #expect(await eventually { entered.count == 1 })
        let started = ContinuousClock.now
        await t.server.shutdown(grace: .milliseconds(200))
        #expect(ContinuousClock.now - started < .seconds(20))
        let result = await call.result
        #expect(throws: RPCError.self) { try result.get() }
        await t.stop()
    }

    @Test func callsAfterShutdownAreRefused() async throws {
        let t = try TestServer.start { $0.register("/t.T/Echo") { request, _ in request } }
        await t.server.shutdown(grace: .seconds(1))
        let late = RPCClient(endpoint: .unix(path: t.socketPath))
        let code = await statusCode { try await late.unary("/t.T/Echo", [1], timeout: .seconds(2)) }
        #expect(code == .unavailable || code == .deadlineExceeded)
        late.close()
        await t.stop()
    }

    @Test func socketIsOwnerAndGroupOnly() async throws {
        let t = try TestServer.start { $0.register("/t.T/Echo") { request, _ in request } }
        var info = stat()
        #expect(lstat(t.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        await t.stop()
    }

    @Test func aSecondServerDoesNotStealALiveSocket() async throws {
        let t = try TestServer.start { $0.register("/t.T/Echo") { request, _ in request } }
        let second = RPCServer(configuration: .init(endpoint: .unix(path: t.socketPath)))
        #expect(throws: RPCError(.failedPrecondition, "another server is already listening on \(t.socketPath)")) {
            try second.start()
        }
        #expect(!second.isServing)
        await second.shutdown(grace: .seconds(1))  // harmless on a server that never started
        #expect(try await t.client.unary("/t.T/Echo", [7]) == [7])
        await t.stop()
    }

    @Test func tcpEndpointWithPortZeroReportsTheBoundPort() async throws {
        let server = RPCServer(configuration: .init(endpoint: .tcp(host: "127.0.0.1", port: 0)))
        server.register("/t.T/Echo") { request, _ in request }
        try server.start()
        let port = try #require(server.boundPort)
        #expect(port > 0)
        let client = RPCClient(endpoint: .tcp(host: "127.0.0.1", port: port))
        #expect(try await client.unary("/t.T/Echo", [1, 2, 3]) == [1, 2, 3])
        client.close()
        await server.shutdown(grace: .seconds(1))
    }

    @Test func clientToNothingFailsUnavailable() async throws {
        let client = RPCClient(endpoint: .unix(path: "/tmp/mooring-no-such-dir/none.sock"))
        #expect(await statusCode { try await client.unary("/t.T/Echo", [], timeout: .seconds(5)) } == .unavailable)
        client.close()
    }
}
