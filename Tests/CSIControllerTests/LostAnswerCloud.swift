import CloudAPI
import CSIController
import CSIDriver
import LocalCloud

/// The real client, except that every create (volume or snapshot) first asks the local cloud to
/// carry the call out and then drop its answer: what a connection lost after the commit does.
struct LostAnswerCloud: ControllerCloud {
    let client: VultrClient
    let server: LocalCloudServer

    func createVolume(_ request: VolumeCreateRequest) async throws -> Volume {
        server.inject(.dropAfterCommit)
        return try await client.createVolume(request)
    }

    func createSnapshot(volumeID: String, description: String) async throws -> VolumeSnapshot {
        server.inject(.dropAfterCommit)
        return try await client.createSnapshot(volumeID: volumeID, description: description)
    }

    func volume(id: String) async throws -> Volume { try await client.volume(id: id) }
    func volumes() async throws -> [Volume] { try await client.volumes() }
    func resizeVolume(id: String, sizeGB: Int) async throws { try await client.resizeVolume(id: id, sizeGB: sizeGB) }
    func deleteVolume(id: String) async throws { try await client.deleteVolume(id: id) }
    func attachVolume(id: String, instanceID: String) async throws { try await client.attachVolume(id: id, instanceID: instanceID) }
    func detachVolume(id: String) async throws { try await client.detachVolume(id: id) }
    func snapshot(id: String) async throws -> VolumeSnapshot { try await client.snapshot(id: id) }
    func snapshots() async throws -> [VolumeSnapshot] { try await client.snapshots() }
    func deleteSnapshot(id: String) async throws { try await client.deleteSnapshot(id: id) }
    func instance(id: String) async throws -> Instance { try await client.instance(id: id) }
    func instances() async throws -> [Instance] { try await client.instances() }
}
