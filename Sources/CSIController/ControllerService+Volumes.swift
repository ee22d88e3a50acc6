import CloudAPI
import CSIDriver
import CSI
import Logging
import RPC

extension ControllerService {
    func createVolume(_ request: CreateVolumeRequest, _ context: CallContext) async throws -> CreateVolumeResponse {
        try await serve(context, ["volume.name": .string(request.name)]) { log in
            guard !request.name.isEmpty else { throw DriverError.invalidArgument("name must not be empty") }
            // The name becomes the cloud label; Kubernetes object names stop at 253 characters.
            guard request.name.utf8.count <= Self.maximumNameBytes else {
                throw DriverError.invalidArgument("name is longer than \(Self.maximumNameBytes) bytes")
            }
            guard !request.volumeCapabilities.isEmpty else { throw DriverError.invalidArgument("volume_capabilities must not be empty") }
            let parameters = try VolumeParameters(parsing: request.parameters)
            try VolumeCapabilityCheck.require(request.volumeCapabilities, for: parameters.storageType)
            let region = try RegionTopology.region(for: request.accessibilityRequirements, fallback: options.defaultRegion)
            if parameters.storageType == .vfs {
                return try await createFileSystemVolume(request, region, context, log)
            }
            return try await inFlight.run("name/\(request.name)", operation: "CreateVolume") {
                if let existing = try await cloud.volume(labeled: request.name) {
                    try checkCompatible(existing, request, parameters)
                    log.info("volume with this name exists", metadata: ["volume.id": .string(existing.id)])
                    return response(try await waitUntilActive(existing, context), request.volumeContentSource,
                                    parameters.volumeContext)
                }
                let source = try await contentSource(request, parameters, region, context, log)
                let size = try VolumeSize.gigabytes(for: request.capacityRange, type: parameters.blockType, atLeast: source.floorGB)
                let create = VolumeCreateRequest(region: region, sizeGB: size, label: request.name,
                                                 blockType: parameters.blockType, snapshotID: source.snapshotID)
                var volume = try await createOrAdopt({ try await cloud.createVolume(create) },
                                                     lookUp: { try await cloud.volume(labeled: request.name) },
                                                     log: log, found: { ["volume.id": .string($0.id)] })
                log.info("volume created", metadata: ["volume.id": .string(volume.id), "volume.size_gb": "\(volume.sizeGB)",
                                                      "volume.region": .string(volume.region)])
                volume = try await waitUntilActive(volume, context)
                if let temporary = source.temporarySnapshotID {
                    await deleteQuietly(snapshot: temporary, log)
                }
                return response(volume, request.volumeContentSource, parameters.volumeContext)
            }
        }
    }

    /// A same-named volume answers a retried create only if it is what this request asks for.
    private func checkCompatible(_ existing: CloudAPI.Volume, _ request: CreateVolumeRequest,
                                 _ parameters: VolumeParameters) throws(DriverError) {
        guard VolumeSize.satisfies(existing.sizeGB, request.capacityRange) else {
            throw .alreadyExists("volume \"\(request.name)\" exists (\(existing.id)) with \(existing.sizeGB) GiB, "
                + "outside the requested capacity range")
        }
        if let type = existing.blockType, type != parameters.blockType {
            throw .alreadyExists("volume \"\(request.name)\" exists (\(existing.id)) as \(type.rawValue), not \(parameters.blockType.rawValue)")
        }
        guard RegionTopology.allows(existing.region, request.accessibilityRequirements) else {
            throw .alreadyExists("volume \"\(request.name)\" exists (\(existing.id)) in region \(existing.region), "
                + "which the accessibility requirements exclude")
        }
    }

    private struct Source {
        var snapshotID: String?
        var floorGB = 0
        /// A snapshot made only to clone a volume, deleted once the clone exists.
        var temporarySnapshotID: String?
    }

    /// Resolves `volume_content_source`: a snapshot to restore, or a volume to clone through a
    /// temporary snapshot (the cloud has no direct clone).
    private func contentSource(_ request: CreateVolumeRequest, _ parameters: VolumeParameters, _ region: String,
                               _ context: CallContext, _ log: Logger) async throws -> Source {
        switch request.volumeContentSource?.type {
        case nil:
            return Source()
        case .snapshot(let source):
            guard !source.snapshotId.isEmpty else { throw DriverError.invalidArgument("volume_content_source.snapshot.snapshot_id is empty") }
            var snapshot = try await existingSnapshot(source.snapshotId)
            if !snapshot.isReady {
                snapshot = try await CloudWait.until("snapshot \(snapshot.id) becoming ready", deadline: waitDeadline(context),
                                                     firstCheck: options.provisioningDelay,
                                                     fetch: { [cloud, id = snapshot.id] in try await cloud.snapshot(id: id) },
                                                     done: \.isReady)
            }
            return Source(snapshotID: snapshot.id, floorGB: snapshot.sizeGB)
        case .volume(let source):
            guard !source.volumeId.isEmpty else { throw DriverError.invalidArgument("volume_content_source.volume.volume_id is empty") }
            guard VolumeHandle(volumeID: source.volumeId).type == .block else {
                throw DriverError.invalidArgument("volume \(source.volumeId) is a VFS volume; only block storage can be cloned into a block volume")
            }
            let original = try await existingVolume(source.volumeId)
            guard original.region == region else {
                throw DriverError.invalidArgument("cannot clone volume \(original.id) from region \(original.region) into \(region)")
            }
            let description = "clone-source-for-\(request.name)"
            var snapshot: VolumeSnapshot
            if let found = try await cloud.snapshots().first(where: { $0.description == description && $0.volumeID == original.id }) {
                snapshot = found
            } else {
                snapshot = try await cloud.createSnapshot(volumeID: original.id, description: description)
            }
            log.info("cloning through a temporary snapshot", metadata: ["snapshot.id": .string(snapshot.id),
                                                                       "source.volume.id": .string(original.id)])
            snapshot = try await CloudWait.until("snapshot \(snapshot.id) of volume \(original.id)", deadline: waitDeadline(context),
                                                 firstCheck: .zero, fetch: { [cloud, id = snapshot.id] in try await cloud.snapshot(id: id) },
                                                 done: \.isReady)
            return Source(snapshotID: snapshot.id, floorGB: max(original.sizeGB, snapshot.sizeGB), temporarySnapshotID: snapshot.id)
        }
    }

    func deleteVolume(_ request: DeleteVolumeRequest, _ context: CallContext) async throws -> DeleteVolumeResponse {
        try await serve(context, ["volume.id": .string(request.volumeId)]) { log in
            guard !request.volumeId.isEmpty else { throw DriverError.invalidArgument("volume_id must not be empty") }
            try await inFlight.run(request.volumeId, operation: "DeleteVolume") {
                let handle = VolumeHandle(volumeID: request.volumeId)
                if handle.type == .vfs {
                    try await deleteFileSystemVolume(handle.cloudID, log)
                    return
                }
                do {
                    try await cloud.deleteVolume(id: request.volumeId)
                    log.info("volume deleted")
                } catch let error as CloudError where error.meansAbsent {
                    // A bare id may be a VFS that vultr-csi provisioned (it gives VFS volumes their bare id).
                    if fileSystems != nil, error.status != nil {
                        try await deleteFileSystemVolume(request.volumeId, log)
                    } else {
                        log.info("volume does not exist; nothing to delete")
                    }
                } catch let error as CloudError where error.code == .conflict {
                    throw DriverError.failedPrecondition("volume \(request.volumeId) is in use: \(error.message)")
                }
            }
            return DeleteVolumeResponse()
        }
    }

    func validateVolumeCapabilities(_ request: ValidateVolumeCapabilitiesRequest,
                                    _ context: CallContext) async throws -> ValidateVolumeCapabilitiesResponse {
        try await serve(context, ["volume.id": .string(request.volumeId)]) { _ in
            guard !request.volumeId.isEmpty else { throw DriverError.invalidArgument("volume_id must not be empty") }
            guard !request.volumeCapabilities.isEmpty else { throw DriverError.invalidArgument("volume_capabilities must not be empty") }
            let resolved = try await resolve(request.volumeId)
            var problems = request.volumeCapabilities.compactMap { VolumeCapabilityCheck.problem(with: $0, for: resolved.storageType) }
            do {
                let parameters = try VolumeParameters(parsing: request.parameters)
                if !request.parameters.isEmpty, parameters.storageType != resolved.storageType {
                    problems.append("volume is \(resolved.storageType.rawValue) storage, parameters ask for \(parameters.storageType.rawValue)")
                } else if case .block(let volume) = resolved, let type = volume.blockType, !request.parameters.isEmpty,
                          type != parameters.blockType {
                    problems.append("volume is \(type.rawValue), parameters ask for \(parameters.blockType.rawValue)")
                }
            } catch {
                problems.append((error as? DriverError)?.message ?? "\(error)")
            }
            var response = ValidateVolumeCapabilitiesResponse()
            if problems.isEmpty {
                var confirmed = ValidateVolumeCapabilitiesResponse.Confirmed()
                confirmed.volumeCapabilities = request.volumeCapabilities
                confirmed.volumeContext = request.volumeContext
                confirmed.parameters = request.parameters
                confirmed.mutableParameters = request.mutableParameters
                response.confirmed = confirmed
            } else {
                response.message = problems.joined(separator: "; ")
            }
            return response
        }
    }

    func listVolumes(_ request: ListVolumesRequest, _ context: CallContext) async throws -> ListVolumesResponse {
        try await serve(context, ["volume.id": "*"]) { _ in
            var listed: [ControllerVolume] = try await cloud.volumes().map { .block($0) }
            if let fileSystems {
                listed += try await fileSystems.fileSystems().map { .vfs($0) }
            }
            listed.sort { $0.volumeID < $1.volumeID }
            let page = try PageToken.page(listed, maxEntries: request.maxEntries, startingToken: request.startingToken)
            var response = ListVolumesResponse()
            response.nextToken = page.next
            var entries: [ListVolumesResponse.Entry] = []
            for item in page.items {
                let shown = try await describe(item)
                var entry = ListVolumesResponse.Entry()
                var status = ListVolumesResponse.VolumeStatus()
                entry.volume = shown.volume
                status.publishedNodeIds = shown.publishedNodeIDs
                status.volumeCondition = shown.condition
                entry.status = status
                entries.append(entry)
            }
            response.entries = entries
            return response
        }
    }

    func getVolume(_ request: ControllerGetVolumeRequest, _ context: CallContext) async throws -> ControllerGetVolumeResponse {
        try await serve(context, ["volume.id": .string(request.volumeId)]) { _ in
            guard !request.volumeId.isEmpty else { throw DriverError.invalidArgument("volume_id must not be empty") }
            let shown = try await describe(try await resolve(request.volumeId))
            var response = ControllerGetVolumeResponse()
            var status = ControllerGetVolumeResponse.VolumeStatus()
            response.volume = shown.volume
            status.publishedNodeIds = shown.publishedNodeIDs
            status.volumeCondition = shown.condition
            response.status = status
            return response
        }
    }

    func expandVolume(_ request: ControllerExpandVolumeRequest, _ context: CallContext) async throws -> ControllerExpandVolumeResponse {
        try await serve(context, ["volume.id": .string(request.volumeId)]) { log in
            guard !request.volumeId.isEmpty else { throw DriverError.invalidArgument("volume_id must not be empty") }
            guard let range = request.capacityRange else { throw DriverError.invalidArgument("capacity_range must be given") }
            return try await inFlight.run(request.volumeId, operation: "ControllerExpandVolume") {
                let volume: CloudAPI.Volume
                switch try await resolve(request.volumeId) {
                case .vfs(let fileSystem):
                    return try await expandFileSystemVolume(fileSystem, range, request.volumeCapability, log)
                case .block(let found):
                    volume = found
                }
                if let capability = request.volumeCapability, let problem = VolumeCapabilityCheck.problem(with: capability) {
                    throw DriverError.invalidArgument(problem)
                }
                let size = try VolumeSize.gigabytes(for: range, type: volume.blockType ?? .highPerformance)
                // A raw block volume needs nothing on the node; a filesystem must be grown there.
                let rawBlock = if case .block = request.volumeCapability?.accessType { true } else { false }
                return try await expand(from: volume.sizeGB, to: size, nodeExpansionRequired: !rawBlock, log) {
                    do {
                        try await cloud.resizeVolume(id: volume.id, sizeGB: size)
                    } catch let error as CloudError where error.meansAbsent {
                        throw DriverError.notFound("volume \(volume.id) does not exist")
                    }
                }
            }
        }
    }

    // MARK: Shared

    /// ControllerExpandVolume's answer for a volume of `current` GB asked to hold `wanted` GB:
    /// `resize` runs only when the volume is smaller (a volume already large enough is success,
    /// with its own size as the capacity).
    func expand(from current: Int, to wanted: Int, nodeExpansionRequired: Bool, _ log: Logger,
                resize: () async throws -> Void) async throws -> ControllerExpandVolumeResponse {
        var response = ControllerExpandVolumeResponse()
        response.nodeExpansionRequired = nodeExpansionRequired
        guard wanted > current else {
            log.info("volume is already large enough", metadata: ["volume.size_gb": "\(current)"])
            response.capacityBytes = VolumeSize.bytes(current)
            return response
        }
        try await resize()
        log.info("volume resized", metadata: ["volume.size_gb": "\(wanted)", "volume.previous_size_gb": "\(current)"])
        response.capacityBytes = VolumeSize.bytes(wanted)
        return response
    }

    /// The volume, or `NOT_FOUND`.
    func existingVolume(_ id: String) async throws -> CloudAPI.Volume {
        do {
            return try await cloud.volume(id: id)
        } catch let error as CloudError where error.meansAbsent {
            throw DriverError.notFound("volume \(id) does not exist")
        }
    }

    func waitUntilActive(_ volume: CloudAPI.Volume, _ context: CallContext) async throws -> CloudAPI.Volume {
        guard volume.status != .active else { return volume }
        return try await CloudWait.until("volume \(volume.id) becoming active", deadline: waitDeadline(context),
                                         firstCheck: options.provisioningDelay,
                                         fetch: { [cloud, id = volume.id] in try await cloud.volume(id: id) },
                                         done: { $0.status == .active })
    }

    func csiVolume(_ volume: CloudAPI.Volume) -> CSI.Volume {
        var result = CSI.Volume()
        result.volumeId = volume.id
        result.capacityBytes = VolumeSize.bytes(volume.sizeGB)
        result.accessibleTopology = [RegionTopology.topology(region: volume.region)]
        return result
    }

    func response(_ volume: CloudAPI.Volume, _ source: VolumeContentSource?,
                          _ volumeContext: [String: String]) -> CreateVolumeResponse {
        var result = csiVolume(volume)
        result.contentSource = source
        result.volumeContext = volumeContext
        var response = CreateVolumeResponse()
        response.volume = result
        return response
    }

    /// What ListVolumes and ControllerGetVolume say of a volume: the volume, the nodes it is
    /// published to and its condition.
    func describe(_ item: ControllerVolume) async throws
        -> (volume: CSI.Volume, publishedNodeIDs: [String], condition: VolumeCondition) {
        switch item {
        case .block(let volume):
            (csiVolume(volume), volume.attachedInstanceID.map { [$0] } ?? [], condition(volume.status))
        case .vfs(let fileSystem):
            (csiVolume(fileSystem), try await publishedNodes(fileSystem), condition(fileSystem.status))
        }
    }

    func condition(_ status: ProvisioningStatus) -> VolumeCondition {
        var condition = VolumeCondition()
        switch status {
        case .active, .pending:
            condition.abnormal = false
            condition.message = "volume is \(status)"
        case .other(let state):
            condition.abnormal = true
            condition.message = "the cloud reports the volume as \(state)"
        }
        return condition
    }
}
