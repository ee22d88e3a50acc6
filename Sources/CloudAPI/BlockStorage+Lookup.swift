extension BlockStorage {
    /// The volume with this label, if any (labels are how callers find what a lost response
    /// created). Lists every volume: one call per page.
    public func volume(labeled label: String) async throws -> Volume? {
        try await volumes().first { $0.label == label }
    }
}
