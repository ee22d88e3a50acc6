import CSI
import CSIDriver
import Logging
import RPC
import SystemIO

extension NodeService {
    /// NodeStageVolume: a filesystem volume is formatted when blank, mounted at the staging path
    /// and grown to its device; a raw block volume only needs its device to be present.
    func stage(_ request: NodeStageVolumeRequest, _ context: CallContext) async throws -> NodeStageVolumeResponse {
        let volumeID = try Self.volumeID(request.volumeId)
        let staging = try VolumePath.validate(request.stagingTargetPath, field: "staging_target_path")
        let storage = try PublishContext.storageType(request.publishContext, volumeID: volumeID)
        let accessType = try Self.accessType(request.volumeCapability, for: storage)
        if storage == .vfs, case .mount(let mount) = accessType {
            let tag = try PublishContext.mountTag(request.publishContext, volumeID: volumeID)
            let options = try MountOptions.validate(mount.mountFlags)
            try await inFlight.run(volumeID, operation: "NodeStageVolume") {
                try await stageFileSystem(volumeID: volumeID, mountTag: tag, staging: staging, options: options)
            }
            return NodeStageVolumeResponse()
        }
        let locator = configuration.locator
        _ = try DeviceLocator.deviceName(in: request.publishContext, volumeID: volumeID)
        switch accessType {
        case .block:
            try await inFlight.run(volumeID, operation: "NodeStageVolume") {
                _ = try await locator.locate(request.publishContext, volumeID: volumeID, mounter: mounter,
                                             deadline: context.deadline)
            }
        case .mount(let mount):
            let requested = mount.fsType.isEmpty ? nil : try FilesystemType(capability: mount.fsType)
            let options = try MountOptions.validate(mount.mountFlags)
            let formatOptions = try FormatOptions.validate(request.volumeContext[FormatOptions.contextKey])
            let passphrase = try Self.wantsEncryption(request.volumeContext)
                ? try Self.passphrase(request.secrets, volumeID: volumeID) : nil
            if passphrase != nil { _ = try Self.mappingName(volumeID) }
            try await inFlight.run(volumeID, operation: "NodeStageVolume") {
                var (device, number) = try await locator.locate(request.publishContext, volumeID: volumeID,
                                                                mounter: mounter, deadline: context.deadline)
                if let passphrase {
                    (device, number) = try await openEncrypted(volumeID: volumeID, device: device, number: number,
                                                               passphrase: passphrase)
                }
                try await stageFilesystem(volumeID: volumeID, device: device, number: number, staging: staging,
                                          requested: requested, options: options, formatOptions: formatOptions)
            }
        }
        return NodeStageVolumeResponse()
    }

    private func stageFilesystem(volumeID: String, device: String, number: DeviceNumber, staging: String,
                                 requested: FilesystemType?, options: [String], formatOptions: [String]) async throws {
        var logger = self.logger
        logger[metadataKey: "volume.id"] = .string(volumeID)
        logger[metadataKey: "device"] = .string(device)

        if let mounted = try await mounter.mounts(at: staging).last {
            guard mounted.device == number, mounted.root == "/" else {
                throw DriverError.failedPrecondition(
                    "\(staging) already has \(mounted.source) (\(mounted.fsType)) mounted, not volume \(volumeID)'s device \(device)")
            }
            // The CSI spec's answer for "staged here, but with another capability".
            guard let type = FilesystemType(rawValue: mounted.fsType), requested == nil || requested == type else {
                throw DriverError.alreadyExists(
                    "volume \(volumeID) is already staged at \(staging) as \(mounted.fsType), not \(requested?.rawValue ?? "ext4")")
            }
            // Growing here is a courtesy (NodeExpandVolume is the CO's way to ask): a failure is
            // logged, and the volume stays staged as it is.
            do {
                try await growIfNeeded(device: device, type: type, mountPoint: staging, logger: logger)
            } catch {
                logger.warning("could not grow the staged filesystem: \(error)")
            }
            logger.debug("already staged", metadata: ["staging.path": .string(staging)])
            return
        }

        try await Blocking.run { try LocalFiles.makeDirectories(staging) }
        let type: FilesystemType
        switch try await mounter.probe(device: device) {
        case .blank:
            type = requested ?? .default
            logger.info("formatting blank device", metadata: ["fs.type": .string(type.rawValue)])
            try await mounter.format(device: device, as: type, options: formatOptions)
        case .filesystem(let found):
            guard let existing = FilesystemType(rawValue: found), requested == nil || requested == existing else {
                throw DriverError.failedPrecondition(
                    "device \(device) of volume \(volumeID) holds an existing \(found) filesystem, but the capability asks for \(requested?.rawValue ?? "ext4"); it is not reformatted")
            }
            type = existing
            // ext4 grows best before it is mounted: offline resize needs no extra privilege.
            if type == .ext4 { try await growIfNeeded(device: device, type: type, mountPoint: nil, logger: logger) }
        case .other(let what):
            throw DriverError.failedPrecondition("device \(device) of volume \(volumeID) holds \(what); it is not formatted over")
        }
        var mountOptions = options
        // Volumes restored from a snapshot share their filesystem UUID with the original; XFS
        // refuses to mount a duplicate UUID without this.
        if type == .xfs, !mountOptions.contains("nouuid") { mountOptions.append("nouuid") }
        try await mounter.mount(source: device, target: staging, fsType: type.rawValue, options: mountOptions)
        logger.info("staged", metadata: ["staging.path": .string(staging), "fs.type": .string(type.rawValue)])
        if type == .xfs { try await growIfNeeded(device: device, type: type, mountPoint: staging, logger: logger) }
    }

    /// Grows the filesystem when its device has become larger (by more than 1 MiB, the slack XFS
    /// may leave at the end); offline when `mountPoint` is nil.
    func growIfNeeded(device: String, type: FilesystemType, mountPoint: String?, logger: Logger) async throws {
        let deviceSize = try await mounter.deviceSize(device)
        let filesystemSize = try await mounter.filesystemSize(device: device, type: type, mountPoint: mountPoint)
        guard deviceSize > filesystemSize + (1 << 20) else { return }
        logger.info("growing filesystem to its device",
                    metadata: ["fs.bytes": .stringConvertible(filesystemSize), "device.bytes": .stringConvertible(deviceSize)])
        try await mounter.grow(device: device, type: type, mountPoint: mountPoint)
    }

    /// NodeUnstageVolume: unmounts the staging path. Nothing mounted there is success.
    func unstage(_ request: NodeUnstageVolumeRequest) async throws -> NodeUnstageVolumeResponse {
        let volumeID = try Self.volumeID(request.volumeId)
        let staging = try VolumePath.validate(request.stagingTargetPath, field: "staging_target_path")
        try await inFlight.run(volumeID, operation: "NodeUnstageVolume") {
            try await unmountAll(staging)
            if VolumeHandle(volumeID: volumeID).type == .block { try await closeEncrypted(volumeID: volumeID) }
        }
        logger.info("unstaged", metadata: ["volume.id": .string(volumeID), "staging.path": .string(staging)])
        return NodeUnstageVolumeResponse()
    }
}
