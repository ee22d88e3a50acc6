extension BlockStorage {
    /// Waits until the volume is `active`; throws ``CloudError/Code/timeout`` after `timeout`.
    @discardableResult
    public func waitUntilActive(volumeID: String, timeout: Duration = .seconds(120)) async throws -> Volume {
        try await Poller.wait(
            for: "volume \(volumeID) active", path: "GET /v2/blocks/\(volumeID)", timeout: timeout,
            fetch: { try await volume(id: volumeID) }, until: { $0.status == .active })
    }

    /// Waits until the volume reports itself attached to `instanceID`.
    @discardableResult
    public func waitUntilAttached(volumeID: String, instanceID: String, timeout: Duration = .seconds(120)) async throws -> Volume {
        try await Poller.wait(
            for: "volume \(volumeID) attached to \(instanceID)", path: "GET /v2/blocks/\(volumeID)", timeout: timeout,
            fetch: { try await volume(id: volumeID) }, until: { $0.attachedInstanceID == instanceID })
    }

    /// Waits until the volume reports itself attached to nothing.
    @discardableResult
    public func waitUntilDetached(volumeID: String, timeout: Duration = .seconds(120)) async throws -> Volume {
        try await Poller.wait(
            for: "volume \(volumeID) detached", path: "GET /v2/blocks/\(volumeID)", timeout: timeout,
            fetch: { try await volume(id: volumeID) }, until: { $0.attachedInstanceID == nil })
    }
}
