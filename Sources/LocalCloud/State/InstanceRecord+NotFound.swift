extension InstanceRecord {
    /// Vultr's words for an unknown instance id.
    static func notFound(_ id: String) -> APIFailure { APIFailure(.notFound, "invalid instance ID") }
}
