import Synchronization

/// What the data plane reports per load balancer for the API to show: per-target health and the
/// listeners that could not open. Written by the data plane, read by `GET /v2/load-balancers`.
final class DataPlaneStatus: Sendable {
    /// One entry of a load balancer's `health_status` (a local-cloud extension field).
    struct TargetHealth: Codable, Sendable, Equatable {
        var instanceId: String
        var address: String
        var port: Int
        /// `healthy`, `unhealthy` or `unknown` (not checked yet; served as healthy).
        var state: String
    }

    /// One entry of a load balancer's `listener_errors` (a local-cloud extension field).
    struct ListenerError: Codable, Sendable, Equatable {
        var frontendPort: Int
        var `protocol`: String
        var error: String
    }

    struct Entry: Sendable, Equatable {
        var health: [TargetHealth] = []
        var listenerErrors: [ListenerError] = []
    }

    private let entries = Mutex([String: Entry]())

    func set(_ id: String, _ update: (inout Entry) -> Void) {
        entries.withLock { entries in
            var entry = entries[id] ?? Entry()
            update(&entry)
            entries[id] = entry
        }
    }

    func remove(_ id: String) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    func entry(_ id: String) -> Entry? {
        entries.withLock { $0[id] }
    }
}
