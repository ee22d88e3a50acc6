/// Route tables, where the backend has them (Vultr does not: its calls fail with
/// ``CloudError/Code/unsupported`` or ``CloudError/Code/notFound``; check ``supportsRoutes``).
public protocol Routes: Sendable {
    /// False when the backend has no routes API; the route controller then stays off.
    var supportsRoutes: Bool { get }
    /// Every route, all pages.
    func routes() async throws -> [Route]
    func createRoute(_ spec: RouteSpec) async throws -> Route
    func deleteRoute(id: String) async throws
}
