import Kubernetes
import Synchronization
import Testing

@Suite struct WorkQueueTests {
    @Test func deduplicatesQueuedKeys() async {
        let queue = WorkQueue<String>(name: "t")
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        queue.done("a")
        queue.done("b")
        #expect(queue.depth == 0)
    }

    @Test func keyAddedWhileProcessingIsRequeuedOnlyAfterDone() async {
        let queue = WorkQueue<String>(name: "t")
        queue.add("a")
        let first = await queue.next()
        #expect(first == "a")
        queue.add("a")
        queue.add("a")
        // Not handed to a second worker while the first still holds it.
        #expect(queue.depth == 0)
        queue.done("a")
        #expect(queue.depth == 1)
        #expect(await queue.next() == "a")
        queue.done("a")
    }

    @Test func shutDownWakesWaiters() async {
        let queue = WorkQueue<String>(name: "t")
        async let waiting = queue.next()
        try? await Task.sleep(for: .milliseconds(50))
        queue.shutDown()
        #expect(await waiting == nil)
        queue.add("late")
        #expect(await queue.next() == nil)
    }

    @Test func backoffGrowsAndCaps() {
        let backoff = ExponentialBackoff()
        #expect(backoff.delay(afterFailures: 0) == .seconds(5))
        #expect(backoff.delay(afterFailures: 1) == .seconds(10))
        #expect(backoff.delay(afterFailures: 5) == .seconds(160))
        #expect(backoff.delay(afterFailures: 6) == .seconds(300))
        #expect(backoff.delay(afterFailures: 1000) == .seconds(300))
    }

    @Test func rateLimitedAddsWaitTheirBackoffAndForgetResets() async throws {
        let queue = WorkQueue<String>(name: "t", backoff: ExponentialBackoff(base: .milliseconds(100), maximum: .seconds(1)))
        queue.addRateLimited("a")
        queue.addRateLimited("a")
        #expect(queue.failures(of: "a") == 2)
        #expect(queue.depth == 0)
        let started = ContinuousClock.now
        #expect(await queue.next() == "a")
        // The earlier (100 ms) schedule wins over the later one.
        #expect(ContinuousClock.now - started >= .milliseconds(90))
        queue.done("a")
        queue.forget("a")
        #expect(queue.failures(of: "a") == 0)
        queue.shutDown()
    }

    @Test func workersNeverShareAKey() async throws {
        let queue = WorkQueue<String>(name: "t")
        let inFlight = Mutex<Set<String>>([])
        let overlaps = Mutex(0)
        let processed = Mutex(0)
        let controller = Controller<String>(name: "t", queue: queue, workers: 4, logger: testLogger) { key in
            let clash = inFlight.withLock { !$0.insert(key).inserted }
            if clash { overlaps.withLock { $0 += 1 } }
            try await Task.sleep(for: .milliseconds(2))
            inFlight.withLock { _ = $0.remove(key) }
            processed.withLock { $0 += 1 }
            return .done
        }
        let run = Task { try await controller.run() }
        for round in 0..<50 {
            for key in ["a", "b", "c"] { queue.add(key) }
            if round % 10 == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(await eventually { queue.depth == 0 && processed.withLock { $0 } >= 3 })
        run.cancel()
        try? await run.value
        #expect(overlaps.withLock { $0 } == 0)
    }

    @Test func controllerRetriesFailuresAndRequeuesPending() async throws {
        let queue = WorkQueue<String>(name: "t", backoff: ExponentialBackoff(base: .milliseconds(20), maximum: .milliseconds(200)))
        let attempts = Mutex<[String: Int]>([:])
        let controller = Controller<String>(name: "t", queue: queue, workers: 2, logger: testLogger) { key in
            let attempt = attempts.withLock { state -> Int in
                state[key, default: 0] += 1
                return state[key]!
            }
            if key == "flaky" && attempt < 3 { throw KubernetesError(code: .internalError, message: "boom") }
            if key == "pending" && attempt < 2 { return .requeue(after: .milliseconds(50)) }
            return .done
        }
        let run = Task { try await controller.run() }
        queue.add("flaky")
        queue.add("pending")
        #expect(await eventually { attempts.withLock { ($0["flaky"] ?? 0) >= 3 && ($0["pending"] ?? 0) >= 2 } })
        #expect(queue.failures(of: "flaky") == 0)
        run.cancel()
        try? await run.value
        #expect(attempts.withLock { $0["flaky"] } == 3)
    }
}
