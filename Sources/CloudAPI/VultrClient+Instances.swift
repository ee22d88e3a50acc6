extension VultrClient {
    private struct CreateBody: Encodable {
        var region: String
        var plan: String
        var label: String
        var hostname: String?
    }

    public func instance(id: String) async throws -> Instance {
        try await fetch("instances.get", "/v2/instances/\(segment(id, "instance"))", as: InstanceWire.self).instance
    }

    public func instances() async throws -> [Instance] {
        try await list("instances.list", "/v2/instances", as: InstanceWire.self).map(\.instance)
    }

    /// Creates an instance (tests and tooling; the drivers only look instances up).
    public func createInstance(_ request: InstanceCreateRequest) async throws -> Instance {
        try await exchange(
            "instances.create", .POST, "/v2/instances",
            body: CreateBody(region: request.region, plan: request.plan, label: request.label, hostname: request.hostname),
            as: InstanceWire.self
        ).instance
    }

    public func deleteInstance(id: String) async throws {
        try await perform("instances.delete", .DELETE, "/v2/instances/\(segment(id, "instance"))")
    }

    /// Powers an instance off (`halt`) or on (`start`).
    public func setPower(instanceID: String, running: Bool) async throws {
        try await perform(
            running ? "instances.start" : "instances.halt", .POST,
            "/v2/instances/\(segment(instanceID, "instance"))/\(running ? "start" : "halt")")
    }
}
