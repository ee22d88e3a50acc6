import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import LocalCloud

/// Health probes across every load balancer are bounded: a burst of checks queues instead of
/// opening a socket each at once (200 balancers × 500 targets ran localcloud out of descriptors).
@Suite struct ProbeLimiterTests {
    @Test func aBurstNeverRunsMoreThanTheLimitAndEveryProbeCompletes() async throws {
        let limiter = ProbeLimiter(limit: 8)
        let group = MultiThreadedEventLoopGroup.singleton
        let running = Mutex(0)
        let highest = Mutex(0)
        let futures = (0..<200).map { i in
            let loop = group.next()
            return limiter.run(on: loop) {
                let now = running.withLock { $0 += 1; return $0 }
                highest.withLock { $0 = max($0, now) }
                // A probe that takes a while, as a connect to a slow target does.
                return loop.scheduleTask(in: .milliseconds(2)) {
                    running.withLock { $0 -= 1 }
                    return i % 3 == 0
                }.futureResult
            }
        }
        let outcomes = try await EventLoopFuture.whenAllSucceed(futures, on: group.next()).get()
        #expect(outcomes.count == 200)
        #expect(outcomes.enumerated().allSatisfy { $0.element == ($0.offset % 3 == 0) })
        #expect(highest.withLock { $0 } == 8)
        #expect(limiter.peak == 8)
    }

    @Test func aFailedProbeFreesItsPlace() async throws {
        struct Refused: Error {}
        let limiter = ProbeLimiter(limit: 1)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let failed = limiter.run(on: loop) { loop.makeFailedFuture(Refused()) }
        await #expect(throws: Refused.self) { try await failed.get() }
        let next = try await limiter.run(on: loop) { loop.makeSucceededFuture(true) }.get()
        #expect(next)
    }

    @Test func aLongQueueOfInstantProbesDrainsWithoutNesting() async throws {
        // Probes that finish at once (a refused connect) must not start the next one inside
        // their own completion: 20,000 of them queued behind one slow probe would nest that deep.
        let limiter = ProbeLimiter(limit: 1)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let slow = loop.makePromise(of: Bool.self)
        let first = limiter.run(on: loop) { slow.futureResult }
        let queued = (0..<20_000).map { _ in limiter.run(on: loop) { loop.makeSucceededFuture(true) } }
        slow.succeed(false)
        #expect(try await first.get() == false)
        let outcomes = try await EventLoopFuture.whenAllSucceed(queued, on: loop).get()
        #expect(outcomes.count == 20_000 && outcomes.allSatisfy { $0 })
        #expect(limiter.peak == 1)
    }
}
