/// Block storage volumes: what the CSI controller needs. Methods throw ``CloudError``.
public protocol BlockStorage: Sendable {
    func createVolume(_ request: VolumeCreateRequest) async throws -> Volume
    func volume(id: String) async throws -> Volume
    /// Every volume, all pages.
    func volumes() async throws -> [Volume]
    /// Grows a volume (the API never shrinks one).
    func resizeVolume(id: String, sizeGB: Int) async throws
    func deleteVolume(id: String) async throws
    /// Starts attaching; poll with ``waitUntilAttached(volumeID:instanceID:timeout:)``.
    func attachVolume(id: String, instanceID: String) async throws
    /// Starts detaching; poll with ``waitUntilDetached(volumeID:timeout:)``.
    func detachVolume(id: String) async throws
}
