import Foundation
import Kubernetes
import Logging
import Metrics
import Synchronization
import Telemetry

/// Syncs informers for nodes and services, then drives resync rounds through a work queue and
/// controller, printing resident memory and CPU time at each stage.
struct BenchRun {
    var url: URL
    var resyncRounds: Int
    var pageSize: Int
    /// The `serve` process, signalled to force a 410 relist.
    var serverPID: pid_t?
    var logger: Logger

    func run() async throws {
        let metrics = ProcessMetrics.bootstrap()
        let baseline = ProcessStats.now()
        ProcessStats.report("start", baseline, since: baseline)
        let client = try KubernetesClient(
            configuration: ClientConfiguration(server: url, qps: 0, requestTimeout: .seconds(120)), logger: logger)
        let resync = Duration.seconds(2)
        let nodes = Informer<Node>(client: client, resyncPeriod: resync, pageSize: pageSize, logger: logger)
        let services = Informer<Service>(client: client, resyncPeriod: resync, pageSize: pageSize, logger: logger)
        let controller = Controller<String>(name: "bench", workers: 2, logger: logger) { key in
            // The typical controller step: look the object up in the cache.
            if nodes.cache.get(key) == nil { _ = services.cache.get(key) }
            return .done
        }
        let updates = Mutex(0)
        func enqueue<R: KubernetesResource>(_ type: R.Type) -> ResourceEventHandler<R> {
            ResourceEventHandler(
                onAdd: { controller.queue.add($0.key) },
                onUpdate: { _, new in
                    updates.withLock { $0 += 1 }
                    controller.queue.add(new.key)
                })
        }
        nodes.addHandler(enqueue(Node.self))
        services.addHandler(enqueue(Service.self))

        let started = ProcessStats.now()
        let tasks = [
            Task { try await nodes.run() }, Task { try await services.run() }, Task { try await controller.run() },
        ]
        await nodes.waitUntilSynced()
        await services.waitUntilSynced()
        let synced = ProcessStats.now()
        print("cached: \(nodes.cache.count) nodes, \(services.cache.count) services")
        ProcessStats.report("initial list+sync", synced, since: started)

        let forEachStart = ProcessStats.now()
        var ready = 0
        nodes.cache.forEach { if $0.status.isReady { ready += 1 } }
        ProcessStats.report("cache.forEach over \(ready) ready nodes", ProcessStats.now(), since: forEachStart)
        let getStart = ProcessStats.now()
        for index in 0..<1000 { _ = nodes.cache.get("node-\(index)") }
        ProcessStats.report("1000 × cache.get(node)", ProcessStats.now(), since: getStart)

        let total = nodes.cache.count + services.cache.count
        for round in 1...max(resyncRounds, 1) {
            let before = ProcessStats.now()
            let target = updates.withLock { $0 } + total
            while updates.withLock({ $0 }) < target { try await Task.sleep(for: .milliseconds(20)) }
            while controller.queue.depth > 0 { try await Task.sleep(for: .milliseconds(20)) }
            ProcessStats.report("resync round \(round) (\(total) objects)", ProcessStats.now(), since: before)
        }
        if let serverPID {
            let before = ProcessStats.now()
            kill(serverPID, SIGUSR1)
            // The informers see their watches drop, get 410 Gone on re-watch and relist.
            func lists() -> [Substring] {
                metrics.emitToString().split(separator: "\n").filter { $0.hasPrefix("informer_relists_total{") }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while lists().contains(where: { $0.hasSuffix(" 1") }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            ProcessStats.report("forced 410 relist of both", ProcessStats.now(), since: before)
            print("lists (initial + after 410): " + lists().joined(separator: ", "))
        }
        let peak = ProcessStats.now().peakResidentMiB
        print(String(format: "peak resident (VmHWM) holding, resyncing and relisting: %.1f MiB", peak))
        print(String(format: "target: <= 64 MiB resident -> %@", peak <= 64 ? "met" : "NOT met"))
        // For comparison: what decoding the whole node cache at once costs (avoid in controllers;
        // use forEach / list(where:), which decode one object at a time).
        let listStart = ProcessStats.now()
        let all = nodes.cache.list()
        ProcessStats.report("(comparison) cache.list(): \(all.count) decoded", ProcessStats.now(), since: listStart)
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        try await client.shutdown()
    }
}
