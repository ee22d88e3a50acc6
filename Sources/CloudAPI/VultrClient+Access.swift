/// A cheap end-to-end check for readiness probes: the API answers and accepts the key.
public protocol CloudAccessCheck: Sendable {
    /// Throws ``CloudError`` (`unauthorized`, `unavailable`, `timeout`, `transport`, …) unless a
    /// small authenticated read succeeds.
    func checkAccess() async throws
}

extension VultrClient: CloudAccessCheck {
    /// One authenticated `GET /v2/blocks?per_page=1`.
    public func checkAccess() async throws {
        _ = try await transport.send("access.check", .GET, "/v2/blocks", query: [("per_page", "1")])
    }
}
