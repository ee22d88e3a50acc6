import CloudAPI
import Synchronization

/// Counts calls per operation on their way to a real backend (the decorator the API-economy
/// tests read).
final class CountingCloud: Instances, Routes, Sendable {
    private let backend: VultrClient
    private let counts = Mutex<[String: Int]>([:])

    init(_ backend: VultrClient) {
        self.backend = backend
    }

    func count(_ operation: String) -> Int { counts.withLock { $0[operation] ?? 0 } }
    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
    func reset() { counts.withLock { $0.removeAll() } }

    private func note(_ operation: String) { counts.withLock { $0[operation, default: 0] += 1 } }

    func instance(id: String) async throws -> Instance {
        note("instance")
        return try await backend.instance(id: id)
    }

    func instances() async throws -> [Instance] {
        note("instances")
        return try await backend.instances()
    }

    var supportsRoutes: Bool { backend.supportsRoutes }

    func routes() async throws -> [Route] {
        note("routes")
        return try await backend.routes()
    }

    func createRoute(_ spec: RouteSpec) async throws -> Route {
        note("createRoute")
        return try await backend.createRoute(spec)
    }

    func deleteRoute(id: String) async throws {
        note("deleteRoute")
        try await backend.deleteRoute(id: id)
    }
}
