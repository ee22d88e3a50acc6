import CloudAPI
import CloudController
import Foundation
import Kubernetes
import Testing

/// The at-rest cost the issue measures: cloud calls per resync period with 500 nodes and 200
/// LoadBalancer Services. A benchmark, not a CI test: run it with
/// `MOORING_SCALE=1 swift test --filter ServiceScaleTests` (hack/bench/bench-service-controller.sh);
/// it prints the figures.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MOORING_SCALE"] == "1"))
struct ServiceScaleTests {
    @Test func cloudCallsPerResyncRoundAtRest() async throws {
        let nodeCount = Int(ProcessInfo.processInfo.environment["MOORING_SCALE_NODES"] ?? "") ?? 500
        let serviceCount = Int(ProcessInfo.processInfo.environment["MOORING_SCALE_SERVICES"] ?? "") ?? 200
        try await ServiceHarness.with(configure: {
            $0.workers = 4
        }) { h in
            for index in 0..<nodeCount { try await h.addNode("node-\(index)") }
            let names = (0..<serviceCount).map { "svc-\($0)" }
            for (index, name) in names.enumerated() {
                try await h.createService(name, ports: [ServicePort(name: "http", port: 80, nodePort: 30000 + index)])
            }
            let started = ContinuousClock.now
            try await h.eventually("all published", timeout: .seconds(600)) {
                var published = 0
                for name in names where try await h.service(name)?.status.loadBalancerIngress.isEmpty == false { published += 1 }
                return published == names.count
            }
            print("scale: \(serviceCount) load balancers for \(nodeCount) nodes ensured in \(ContinuousClock.now - started); calls: create \(h.counting.count(.create)), update \(h.counting.count(.update)), get \(h.counting.count(.get)), list \(h.counting.count(.list))")
            try await Task.sleep(for: .seconds(2))
            h.counting.reset()
            let before = h.cloudRequests
            let rounds = 3
            for _ in 0..<rounds {
                await h.resync()
                try await Task.sleep(for: .seconds(3))  // longer than a round takes; a benchmark, not a timing assertion
            }
            let perRound = Double(h.cloudRequests - before) / Double(rounds)
            print("scale: at rest, \(rounds) resync rounds cost \(h.cloudRequests - before) HTTP requests (list calls \(h.counting.count(.list)), get \(h.counting.count(.get)), writes \(h.counting.writes)): \(perRound) per round (page size 100)")
            #expect(h.counting.writes == 0)
            #expect(perRound <= 3)
        }
    }
}
