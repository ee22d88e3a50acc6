import SystemIO

/// A ``Mounter`` that reports each change it makes to the node (mount, bind mount, unmount,
/// format, grow) to `observe` with whether it failed and how long it took, then passes the
/// call on. Queries (mounts, probes, sizes, statistics) pass through unreported.
public struct MeteredMounter: Mounter {
    public typealias Observer = @Sendable (_ operation: String, _ failed: Bool, _ duration: Duration) -> Void

    /// The operation names `observe` hears.
    public static let operations = ["mount", "bind_mount", "unmount", "format", "grow"]

    private let base: any Mounter
    private let observe: Observer

    public init(_ base: any Mounter, observe: @escaping Observer) {
        self.base = base
        self.observe = observe
    }

    private func timed(_ operation: String, _ body: () async throws -> Void) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await body()
        } catch {
            observe(operation, true, clock.now - start)
            throw error
        }
        observe(operation, false, clock.now - start)
    }

    public func mounts(at path: String) async throws -> [MountEntry] { try await base.mounts(at: path) }
    public func allMounts() async throws -> [MountEntry] { try await base.allMounts() }

    public func mount(source: String, target: String, fsType: String, options: [String]) async throws {
        try await timed("mount") { try await base.mount(source: source, target: target, fsType: fsType, options: options) }
    }

    public func bindMount(source: String, target: String, readOnly: Bool) async throws {
        try await timed("bind_mount") { try await base.bindMount(source: source, target: target, readOnly: readOnly) }
    }

    public func unmount(_ target: String) async throws {
        try await timed("unmount") { try await base.unmount(target) }
    }

    public func blockDevice(at path: String) async throws -> DeviceNumber? { try await base.blockDevice(at: path) }
    public func probe(device: String) async throws -> DeviceContent { try await base.probe(device: device) }

    public func format(device: String, as type: FilesystemType, options: [String]) async throws {
        try await timed("format") { try await base.format(device: device, as: type, options: options) }
    }

    public func filesystemSize(device: String, type: FilesystemType, mountPoint: String?) async throws -> Int64 {
        try await base.filesystemSize(device: device, type: type, mountPoint: mountPoint)
    }

    public func grow(device: String, type: FilesystemType, mountPoint: String?) async throws {
        try await timed("grow") { try await base.grow(device: device, type: type, mountPoint: mountPoint) }
    }

    public func deviceSize(_ path: String) async throws -> Int64 { try await base.deviceSize(path) }
    public func statistics(_ path: String) async throws -> FilesystemStatistics { try await base.statistics(path) }
}
