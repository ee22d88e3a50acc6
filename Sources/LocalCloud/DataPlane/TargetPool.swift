import Synchronization

/// One load balancer's targets: their health, their open connections, and the choice of the
/// next target. Shared by the listeners (choosing) and the health monitor (reporting).
final class TargetPool: Sendable {
    enum Health: String, Sendable {
        case unknown, healthy, unhealthy
    }

    private struct Entry {
        var health: Health = .unknown
        var successes = 0
        var failures = 0
        var connections = 0
    }

    private struct State {
        var targets: [BalancerSpec.Target] = []
        var entries: [BalancerSpec.Target: Entry] = [:]
        var cursor = 0
    }

    private let state = Mutex(State())

    /// Replaces the target list, keeping what is known about targets that stay; `resetHealth`
    /// forgets every health verdict (the check itself changed).
    func setTargets(_ targets: [BalancerSpec.Target], resetHealth: Bool) {
        state.withLock { state in
            state.targets = targets
            var entries: [BalancerSpec.Target: Entry] = [:]
            for target in targets {
                var entry = state.entries[target] ?? Entry()
                if resetHealth {
                    entry.health = .unknown
                    entry.successes = 0
                    entry.failures = 0
                }
                entries[target] = entry
            }
            state.entries = entries
        }
    }

    /// Records one health-check outcome. A target turns healthy after `healthyThreshold`
    /// successes in a row (from unknown: after the first), unhealthy after `unhealthyThreshold`
    /// failures in a row. Returns the new state when it changed.
    func record(_ target: BalancerSpec.Target, success: Bool, check: BalancerSpec.HealthCheck) -> Health? {
        state.withLock { state in
            guard var entry = state.entries[target] else { return nil }
            let before = entry.health
            if success {
                entry.successes += 1
                entry.failures = 0
                if entry.health == .unknown || entry.successes >= check.healthyThreshold { entry.health = .healthy }
            } else {
                entry.failures += 1
                entry.successes = 0
                if entry.failures >= check.unhealthyThreshold { entry.health = .unhealthy }
            }
            state.entries[target] = entry
            return entry.health == before ? nil : entry.health
        }
    }

    /// Picks a target that may take a new connection (healthy or not yet checked) and counts the
    /// connection against it; `preferred` (a sticky cookie's instance) wins when it may. Nil when
    /// no target may take one.
    func acquire(_ algorithm: BalancerSpec.Algorithm, preferred: String? = nil) -> BalancerSpec.Target? {
        state.withLock { state in
            let usable = state.targets.filter { state.entries[$0]?.health != .unhealthy }
            guard !usable.isEmpty else { return nil }
            let chosen: BalancerSpec.Target
            if let preferred, let pinned = usable.first(where: { $0.instanceID == preferred }) {
                chosen = pinned
            } else {
                switch algorithm {
                case .roundRobin:
                    chosen = usable[state.cursor % usable.count]
                    state.cursor &+= 1
                case .leastConnections:
                    // Fewest open connections; ties rotate so equal targets share the load.
                    let start = state.cursor % usable.count
                    state.cursor &+= 1
                    let rotated = Array(usable[start...] + usable[..<start])
                    chosen = rotated.min { (state.entries[$0]?.connections ?? 0) < (state.entries[$1]?.connections ?? 0) }!
                }
            }
            state.entries[chosen]?.connections += 1
            return chosen
        }
    }

    /// Ends a connection counted by ``acquire(_:preferred:)``.
    func release(_ target: BalancerSpec.Target) {
        state.withLock { state in
            if let count = state.entries[target]?.connections, count > 0 { state.entries[target]?.connections = count - 1 }
        }
    }

    func snapshot() -> [(target: BalancerSpec.Target, health: Health)] {
        state.withLock { state in state.targets.map { ($0, state.entries[$0]?.health ?? .unknown) } }
    }
}
