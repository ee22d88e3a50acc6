import CSI
import CSIDriver
import RPC
import SystemIO

extension NodeService {
    /// NodeExpandVolume: grows the mounted filesystem online to fill its (already enlarged)
    /// device and returns the device's size. A raw block volume needs nothing and reports its size.
    func expand(_ request: NodeExpandVolumeRequest) async throws -> NodeExpandVolumeResponse {
        let (volumeID, path) = try Self.volumeAndPath(request.volumeId, volumePath: request.volumePath,
                                                      stagingTargetPath: request.stagingTargetPath)
        if request.volumeCapability != nil {
            _ = try Self.accessType(request.volumeCapability, for: VolumeHandle(volumeID: volumeID).type)
        }
        let required = request.capacityRange?.requiredBytes ?? 0
        let limit = request.capacityRange?.limitBytes ?? 0
        guard required >= 0, limit >= 0, limit == 0 || limit >= required else {
            throw DriverError.invalidArgument("capacity_range: required_bytes \(required) and limit_bytes \(limit) do not form a range")
        }
        if VolumeHandle(volumeID: volumeID).type == .vfs {
            // The cloud grows a VFS itself (the controller says no node expansion is needed);
            // the mount sees the new size at once.
            guard try await Blocking.run({ try LocalFiles.kind(path) }) != .missing else {
                throw DriverError.notFound("volume path \(path) of volume \(volumeID) does not exist")
            }
            var response = NodeExpandVolumeResponse()
            response.capacityBytes = required
            return response
        }
        return try await inFlight.run(volumeID, operation: "NodeExpandVolume") {
            let kind = try await Blocking.run { try LocalFiles.kind(path) }
            if kind == .missing {
                throw DriverError.notFound("volume path \(path) of volume \(volumeID) does not exist")
            }
            let device: String
            var type: FilesystemType?
            if case .blockDevice = kind {
                device = path
            } else {
                guard let mounted = try await mounter.mounts(at: path).last else {
                    throw DriverError.failedPrecondition("volume \(volumeID) is not mounted at \(path)")
                }
                guard let fs = FilesystemType(rawValue: mounted.fsType) else {
                    throw DriverError.failedPrecondition("\(path) holds a \(mounted.fsType) filesystem, which this driver does not grow")
                }
                guard try await mounter.blockDevice(at: mounted.source) == mounted.device else {
                    throw DriverError.failedPrecondition("\(path) is mounted from \(mounted.source), which is not its block device")
                }
                device = mounted.source
                type = fs
                // An encrypted volume's mapping grows to its enlarged device before the filesystem.
                if let name = try? Self.mappingName(volumeID), mounted.source.hasSuffix("/\(name)"),
                   try await encryption.mapping(name: name) != nil {
                    let passphrase = request.secrets[Self.passphraseSecretKey].map { Array($0.utf8) }
                    try await encryption.resize(name: name, passphrase: passphrase)
                }
            }
            let size = try await mounter.deviceSize(device)
            guard size >= required else {
                throw DriverError.outOfRange(
                    "device \(device) of volume \(volumeID) is \(size) bytes, less than the \(required) asked: expand the volume in the cloud first")
            }
            if let type {
                try await mounter.grow(device: device, type: type, mountPoint: path)
                logger.info("expanded", metadata: ["volume.id": .string(volumeID), "volume.path": .string(path),
                                                   "device.bytes": .stringConvertible(size)])
            }
            var response = NodeExpandVolumeResponse()
            response.capacityBytes = size
            return response
        }
    }
}
