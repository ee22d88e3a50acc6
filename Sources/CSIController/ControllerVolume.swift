import CloudAPI
import CSIDriver

/// A volume as the cloud has it: a block storage volume or a Vultr File System.
enum ControllerVolume: Sendable {
    case block(CloudAPI.Volume)
    case vfs(FileSystem)

    var storageType: StorageType {
        switch self {
        case .block: .block
        case .vfs: .vfs
        }
    }

    /// Its CSI volume id (``VolumeHandle``).
    var volumeID: String {
        switch self {
        case .block(let volume): VolumeHandle(type: .block, cloudID: volume.id).volumeID
        case .vfs(let fileSystem): VolumeHandle(type: .vfs, cloudID: fileSystem.id).volumeID
        }
    }
}
