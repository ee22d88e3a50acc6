import CSI
import CSIDriver
import RPC
import SystemIO

extension NodeService {
    /// NodePublishVolume: bind-mounts the staged filesystem onto the target directory, or the raw
    /// device onto the target file; read-only when the request or the access mode says so.
    func publish(_ request: NodePublishVolumeRequest, _ context: CallContext) async throws -> NodePublishVolumeResponse {
        let volumeID = try Self.volumeID(request.volumeId)
        let staging = try VolumePath.validate(request.stagingTargetPath, field: "staging_target_path")
        let target = try VolumePath.validate(request.targetPath, field: "target_path")
        guard staging != target else {
            throw DriverError.invalidArgument("target_path must differ from staging_target_path")
        }
        let storage = try PublishContext.storageType(request.publishContext, volumeID: volumeID)
        let accessType = try Self.accessType(request.volumeCapability, for: storage)
        let readOnly = request.readonly || Self.readOnlyMode(request.volumeCapability)
        let singleWriter = request.volumeCapability?.accessMode?.mode == .singleNodeSingleWriter
        switch accessType {
        case .mount(let mount):
            _ = try MountOptions.validate(mount.mountFlags)
            if storage == .block, !mount.fsType.isEmpty { _ = try FilesystemType(capability: mount.fsType) }
            try await inFlight.run(Self.publishKey(volumeID, target), operation: "NodePublishVolume") {
                try await publishFilesystem(volumeID: volumeID, staging: staging, target: target, readOnly: readOnly,
                                            singleWriter: singleWriter)
            }
        case .block:
            _ = try DeviceLocator.deviceName(in: request.publishContext, volumeID: volumeID)
            try await inFlight.run(Self.publishKey(volumeID, target), operation: "NodePublishVolume") {
                let (device, number) = try await configuration.locator.locate(
                    request.publishContext, volumeID: volumeID, mounter: mounter, deadline: context.deadline)
                try await publishBlock(volumeID: volumeID, device: device, number: number, target: target, readOnly: readOnly,
                                       singleWriter: singleWriter)
            }
        }
        logger.info("published", metadata: ["volume.id": .string(volumeID), "target.path": .string(target),
                                             "read_only": .stringConvertible(readOnly)])
        return NodePublishVolumeResponse()
    }

    private func publishFilesystem(volumeID: String, staging: String, target: String, readOnly: Bool,
                                   singleWriter: Bool) async throws {
        guard let staged = try await mounter.mounts(at: staging).last else {
            throw DriverError.failedPrecondition(
                "volume \(volumeID) is not staged at \(staging): call NodeStageVolume first")
        }
        if let mounted = try await mounter.mounts(at: target).last {
            guard mounted.device == staged.device, mounted.root == staged.root else {
                throw DriverError.alreadyExists("\(target) already has another mount (\(mounted.source), \(mounted.fsType))")
            }
            try Self.refuseOtherAccessMode(volumeID, target: target, published: mounted, readOnly: readOnly)
            return
        }
        if singleWriter {
            // Other binds of the staged filesystem are other publications of this volume.
            let others = try await mounter.allMounts().filter {
                $0.device == staged.device && $0.root == staged.root && $0.mountPoint != staging && $0.mountPoint != target
            }
            try Self.refuseSecondWriter(volumeID, publishedAt: others.map(\.mountPoint))
        }
        try await Blocking.run { try LocalFiles.makeDirectories(target) }
        try await mounter.bindMount(source: staging, target: target, readOnly: readOnly)
    }

    private func publishBlock(volumeID: String, device: String, number: DeviceNumber, target: String,
                              readOnly: Bool, singleWriter: Bool) async throws {
        if let mounted = try await mounter.mounts(at: target).last {
            let kind = try await Blocking.run { try LocalFiles.kind(target) }
            guard kind == .blockDevice(number) else {
                throw DriverError.alreadyExists("\(target) already has another mount (\(mounted.source))")
            }
            try Self.refuseOtherAccessMode(volumeID, target: target, published: mounted, readOnly: readOnly)
            return
        }
        if singleWriter {
            // Other files this device node is bound onto are other publications of this volume.
            let candidates = try await mounter.allMounts().filter { $0.root != "/" && $0.mountPoint != target }
                .map(\.mountPoint)
            let others = try await Blocking.run {
                candidates.filter { (try? LocalFiles.kind($0)) == .blockDevice(number) }
            }
            try Self.refuseSecondWriter(volumeID, publishedAt: others)
        }
        try await Blocking.run {
            try LocalFiles.makeDirectories(LocalFiles.parent(of: target))
            switch try LocalFiles.kind(target) {
            case .missing: try LocalFiles.makeFile(target)
            case .file: break
            // A CO may have created the target as an empty directory; a raw device needs a file.
            case .directory: try LocalFiles.remove(target); try LocalFiles.makeFile(target)
            default: throw DriverError.alreadyExists("\(target) exists and is neither a file nor a directory")
            }
        }
        try await mounter.bindMount(source: device, target: target, readOnly: readOnly)
    }

    /// A target that already holds this volume is success only when it is mounted the way this
    /// call asks (read-only or read-write); CSI says ALREADY_EXISTS otherwise.
    static func refuseOtherAccessMode(_ volumeID: String, target: String, published: MountEntry,
                                      readOnly: Bool) throws(DriverError) {
        guard published.readOnly != readOnly else { return }
        throw DriverError.alreadyExists(
            "volume \(volumeID) is already published at \(target) \(published.readOnly ? "read-only" : "read-write")")
    }

    /// SINGLE_NODE_SINGLE_WRITER: one publication at a time, so a second target is refused.
    static func refuseSecondWriter(_ volumeID: String, publishedAt others: [String]) throws(DriverError) {
        guard let first = others.first else { return }
        throw DriverError.failedPrecondition(
            "volume \(volumeID) has access mode SINGLE_NODE_SINGLE_WRITER and is already published at \(first)")
    }

    /// Publishing is guarded per volume and target: two pods on this node may use the same volume,
    /// and their publishes and unpublishes need not wait for each other.
    static func publishKey(_ volumeID: String, _ target: String) -> String { "\(volumeID) at \(target)" }

    /// NodeUnpublishVolume: unmounts the target and removes it. A missing target is success.
    func unpublish(_ request: NodeUnpublishVolumeRequest) async throws -> NodeUnpublishVolumeResponse {
        let volumeID = try Self.volumeID(request.volumeId)
        let target = try VolumePath.validate(request.targetPath, field: "target_path")
        try await inFlight.run(Self.publishKey(volumeID, target), operation: "NodeUnpublishVolume") {
            try await unmountAll(target)
            try await Blocking.run { try LocalFiles.remove(target) }
        }
        logger.info("unpublished", metadata: ["volume.id": .string(volumeID), "target.path": .string(target)])
        return NodeUnpublishVolumeResponse()
    }
}
