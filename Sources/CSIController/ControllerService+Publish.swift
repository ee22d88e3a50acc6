import CloudAPI
import CSIDriver
import CSI
import Logging
import RPC

extension ControllerService {
    func publishVolume(_ request: ControllerPublishVolumeRequest,
                       _ context: CallContext) async throws -> ControllerPublishVolumeResponse {
        try await serve(context, ["volume.id": .string(request.volumeId), "node.id": .string(request.nodeId)]) { log in
            guard !request.volumeId.isEmpty else { throw DriverError.invalidArgument("volume_id must not be empty") }
            guard !request.nodeId.isEmpty else { throw DriverError.invalidArgument("node_id must not be empty") }
            guard let capability = request.volumeCapability else { throw DriverError.invalidArgument("volume_capability must be given") }
            guard !request.readonly else {
                throw DriverError.invalidArgument("the cloud cannot attach a volume read-only (PUBLISH_READONLY is not offered); mount it read-only on the node instead")
            }
            let handle = VolumeHandle(volumeID: request.volumeId)
            if handle.type == .vfs {
                if let problem = VolumeCapabilityCheck.problem(with: capability, for: .vfs) { throw DriverError.invalidArgument(problem) }
                return try await inFlight.run(Self.attachmentKey(request.volumeId, request.nodeId), operation: "ControllerPublishVolume") {
                    try await publishFileSystem(request, handle.cloudID, context, log)
                }
            }
            if let problem = VolumeCapabilityCheck.problem(with: capability) {
                // A bare id may be a VFS vultr-csi provisioned, which may be shared.
                if fileSystems != nil, VolumeCapabilityCheck.problem(with: capability, for: .vfs) == nil,
                   case .vfs(let fileSystem)? = try? await resolve(request.volumeId) {
                    return try await inFlight.run(Self.attachmentKey(request.volumeId, request.nodeId), operation: "ControllerPublishVolume") {
                        try await publishFileSystem(request, fileSystem.id, context, log)
                    }
                }
                throw DriverError.invalidArgument(problem)
            }
            return try await inFlight.run(request.volumeId, operation: "ControllerPublishVolume") {
                if options.maxVolumesPerNode > 0, let published = try await checkAttachLimit(request) {
                    return published
                }
                do {
                    try await cloud.attachVolume(id: request.volumeId, instanceID: request.nodeId)
                } catch let error as CloudError {
                    if error.meansAbsent, error.status != nil, fileSystems != nil,
                       case .vfs(let fileSystem)? = try? await resolve(request.volumeId) {
                        return try await publishFileSystem(request, fileSystem.id, context, log)
                    }
                    if let published = try await explainFailedAttach(error, request) { return published }
                }
                let volume = try await CloudWait.until(
                    "volume \(request.volumeId) attaching to \(request.nodeId)", deadline: waitDeadline(context), firstCheck: .zero,
                    fetch: { [cloud] in try await cloud.volume(id: request.volumeId) },
                    done: { $0.attachedInstanceID == request.nodeId })
                log.info("volume attached", metadata: ["volume.mount_id": .string(volume.mountID)])
                return published(volume)
            }
        }
    }

    /// Enforces `--max-volumes-per-node` from one list of volumes; answers at once when the
    /// volume is already attached to this node.
    private func checkAttachLimit(_ request: ControllerPublishVolumeRequest) async throws -> ControllerPublishVolumeResponse? {
        let volumes = try await cloud.volumes()
        guard let volume = volumes.first(where: { $0.id == request.volumeId }) else {
            throw DriverError.notFound("volume \(request.volumeId) does not exist")
        }
        if volume.attachedInstanceID == request.nodeId { return published(volume) }
        let attached = volumes.filter { $0.attachedInstanceID == request.nodeId }.count
        guard attached < options.maxVolumesPerNode else {
            throw DriverError.resourceExhausted("node \(request.nodeId) already has \(attached) volumes attached, "
                + "the most --max-volumes-per-node allows")
        }
        return nil
    }

    /// Classifies an attach the cloud refused by looking at the volume: already attached here is
    /// success (returned), elsewhere `FAILED_PRECONDITION`, neither means the node is full.
    private func explainFailedAttach(_ error: CloudError,
                                     _ request: ControllerPublishVolumeRequest) async throws -> ControllerPublishVolumeResponse? {
        let (volumeID, nodeID) = (request.volumeId, request.nodeId)
        if error.meansAbsent {
            _ = try await existingVolume(volumeID)
            // Block storage attaches to instances only; say so for a bare-metal node.
            if let client = cloud as? VultrClient, (try? await BareMetals(client: client).instance(id: nodeID)) != nil {
                throw DriverError.failedPrecondition(
                    "node \(nodeID) is a bare-metal server: block storage attaches only to cloud instances; "
                        + "schedule the pod on an instance node (not labelled vultr.com/baremetal)")
            }
            throw DriverError.notFound("node \(nodeID) is not an instance the cloud knows")
        }
        switch error.code {
        case .conflict:
            let volume = try await existingVolume(volumeID)
            switch volume.attachedInstanceID {
            case nodeID?: return published(volume)
            case let other?: throw DriverError.failedPrecondition("volume \(volumeID) is attached to node \(other); detach it there first")
            case nil: throw DriverError.resourceExhausted("node \(nodeID) cannot take another volume: \(error.message)")
            }
        case .invalidInput:
            throw DriverError.failedPrecondition("volume \(volumeID) cannot attach to node \(nodeID): \(error.message)")
        default:
            if error.mayHaveCommitted, let volume = try? await cloud.volume(id: volumeID), volume.attachedInstanceID == nodeID {
                return published(volume)
            }
            throw error
        }
    }

    /// The in-flight key of one VFS attachment: a shared volume's nodes publish in parallel.
    static func attachmentKey(_ volumeID: String, _ nodeID: String) -> String { "\(volumeID) on \(nodeID)" }

    private func published(_ volume: CloudAPI.Volume) -> ControllerPublishVolumeResponse {
        var response = ControllerPublishVolumeResponse()
        response.publishContext = PublishContext.context(mountID: volume.mountID)
        return response
    }

    func unpublishVolume(_ request: ControllerUnpublishVolumeRequest,
                         _ context: CallContext) async throws -> ControllerUnpublishVolumeResponse {
        try await serve(context, ["volume.id": .string(request.volumeId), "node.id": .string(request.nodeId)]) { log in
            guard !request.volumeId.isEmpty else { throw DriverError.invalidArgument("volume_id must not be empty") }
            let handle = VolumeHandle(volumeID: request.volumeId)
            if handle.type == .vfs {
                // A VFS's nodes attach and detach independently: guarded per volume and node.
                try await inFlight.run(Self.attachmentKey(request.volumeId, request.nodeId), operation: "ControllerUnpublishVolume") {
                    try await unpublishFileSystem(handle.cloudID, nodeID: request.nodeId, log)
                }
                return ControllerUnpublishVolumeResponse()
            }
            try await inFlight.run(request.volumeId, operation: "ControllerUnpublishVolume") {
                let volume: CloudAPI.Volume
                do {
                    volume = try await cloud.volume(id: request.volumeId)
                } catch let error as CloudError where error.meansAbsent {
                    if fileSystems != nil, error.status != nil {
                        // A bare id may be a VFS vultr-csi provisioned.
                        try await unpublishFileSystem(request.volumeId, nodeID: request.nodeId, log)
                    } else {
                        log.info("volume does not exist; nothing to detach")
                    }
                    return
                }
                guard let attached = volume.attachedInstanceID, request.nodeId.isEmpty || attached == request.nodeId else {
                    log.info("volume is not attached to this node; nothing to detach")
                    return
                }
                do {
                    try await cloud.detachVolume(id: volume.id)
                } catch let error as CloudError where error.code == .conflict || error.meansAbsent || error.mayHaveCommitted {
                    // Detached meanwhile, deleted, or the answer was lost: the wait below decides.
                }
                _ = try await CloudWait.until(
                    "volume \(volume.id) detaching from \(attached)", deadline: waitDeadline(context), firstCheck: .zero,
                    fetch: { [cloud] in try await cloud.volume(id: volume.id) }, done: { $0.attachedInstanceID == nil })
                log.info("volume detached", metadata: ["node.previous": .string(attached)])
            }
            return ControllerUnpublishVolumeResponse()
        }
    }
}
