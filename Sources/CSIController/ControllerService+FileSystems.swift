import CloudAPI
import CSIDriver
import CSI
import Logging
import RPC

/// VFS volumes (`storage_type: vfs`): a Vultr File System per volume, attached to every node that
/// publishes it. Unlike a block, it needs nothing formatted or grown on a node, attaches to any
/// number of instances at once, and has no snapshots.
extension ControllerService {
    /// The cloud's VFS calls, or `INVALID_ARGUMENT` when this cloud offers none.
    func requireFileSystems() throws(DriverError) -> any FileSystems {
        guard let fileSystems else {
            throw .invalidArgument("storage_type=vfs: this cloud backend offers no VFS (Vultr File System)")
        }
        return fileSystems
    }

    func createFileSystemVolume(_ request: CreateVolumeRequest, _ region: String, _ context: CallContext,
                                _ log: Logger) async throws -> CreateVolumeResponse {
        let fileSystems = try requireFileSystems()
        if request.volumeContentSource?.type != nil {
            throw DriverError.invalidArgument(
                "a VFS volume cannot start from a snapshot or another volume: the cloud snapshots block storage only")
        }
        return try await inFlight.run("name/\(request.name)", operation: "CreateVolume") {
            if let existing = try await fileSystems.fileSystem(labeled: request.name) {
                guard VolumeSize.satisfies(existing.sizeGB, request.capacityRange) else {
                    throw DriverError.alreadyExists("volume \"\(request.name)\" exists (vfs \(existing.id)) with "
                        + "\(existing.sizeGB) GiB, outside the requested capacity range")
                }
                guard RegionTopology.allows(existing.region, request.accessibilityRequirements) else {
                    throw DriverError.alreadyExists("volume \"\(request.name)\" exists (vfs \(existing.id)) in region "
                        + "\(existing.region), which the accessibility requirements exclude")
                }
                log.info("VFS with this name exists", metadata: ["vfs.id": .string(existing.id)])
                return response(try await waitUntilActive(existing, context))
            }
            let size = try VolumeSize.gigabytes(for: request.capacityRange, sizes: FileSystem.sizeRange, kind: "vfs")
            let create = FileSystemCreateRequest(region: region, sizeGB: size, label: request.name)
            let fileSystem = try await createOrAdopt({ try await fileSystems.createFileSystem(create) },
                                                     lookUp: { try await fileSystems.fileSystem(labeled: request.name) },
                                                     log: log, found: { ["vfs.id": .string($0.id)] })
            log.info("VFS created", metadata: ["vfs.id": .string(fileSystem.id), "volume.size_gb": "\(fileSystem.sizeGB)",
                                               "volume.region": .string(fileSystem.region)])
            return response(try await waitUntilActive(fileSystem, context))
        }
    }

    /// Deletes a VFS; absent is success, still attached somewhere is `FAILED_PRECONDITION`.
    func deleteFileSystemVolume(_ id: String, _ log: Logger) async throws {
        let fileSystems = try requireFileSystems()
        do {
            try await fileSystems.deleteFileSystem(id: id)
            log.info("VFS deleted", metadata: ["vfs.id": .string(id)])
        } catch let error as CloudError where error.meansAbsent {
            log.info("volume does not exist; nothing to delete")
        } catch let error as CloudError where error.code == .conflict || (error.code == .invalidInput && error.status != nil) {
            let nodes = (try? await fileSystems.fileSystemAttachments(id: id).map(\.instanceID)) ?? []
            throw DriverError.failedPrecondition("volume \(VolumeHandle(type: .vfs, cloudID: id)) is attached to "
                + (nodes.isEmpty ? "nodes" : "node(s) \(nodes.joined(separator: ", "))")
                + "; unpublish it first: \(error.message)")
        }
    }

    func publishFileSystem(_ request: ControllerPublishVolumeRequest, _ id: String, _ context: CallContext,
                           _ log: Logger) async throws -> ControllerPublishVolumeResponse {
        let fileSystems = try requireFileSystems()
        let nodeID = request.nodeId
        let fileSystem = try await waitUntilActive(try await existingFileSystem(id), context)
        var attachment: FileSystemAttachment
        do {
            attachment = try await fileSystems.attachFileSystem(id: fileSystem.id, instanceID: nodeID)
        } catch let error as CloudError {
            // Already attached here (a retried publish), or attached with the answer lost: the
            // attachment says. Otherwise a 404 now that the VFS is known means the node is unknown.
            if let found = try? await fileSystems.fileSystemAttachment(id: fileSystem.id, instanceID: nodeID) {
                attachment = found
            } else if error.meansAbsent {
                _ = try await existingFileSystem(id)
                throw DriverError.notFound("node \(nodeID) is not an instance the cloud knows")
            } else if error.code == .invalidInput {
                throw DriverError.failedPrecondition("VFS \(fileSystem.id) cannot attach to node \(nodeID): \(error.message)")
            } else {
                throw error
            }
        }
        if !Self.isAttached(attachment) {
            attachment = try await CloudWait.until(
                "VFS \(fileSystem.id) attaching to \(nodeID)", deadline: waitDeadline(context), firstCheck: options.provisioningDelay,
                fetch: { [fileSystems] in try await fileSystems.fileSystemAttachment(id: fileSystem.id, instanceID: nodeID) },
                done: Self.isAttached)
        }
        log.info("VFS attached", metadata: ["vfs.mount_tag": "\(attachment.mountTag)"])
        var response = ControllerPublishVolumeResponse()
        response.publishContext = PublishContext.context(mountTag: attachment.mountTag)
        return response
    }

    static func isAttached(_ attachment: FileSystemAttachment) -> Bool {
        attachment.state.isEmpty || attachment.state.uppercased() == "ATTACHED"
    }

    /// Detaches the VFS from the node (from every node when `nodeID` is empty). Nothing attached,
    /// or no such VFS, is success.
    func unpublishFileSystem(_ id: String, nodeID: String, _ log: Logger) async throws {
        let fileSystems = try requireFileSystems()
        var nodes = [nodeID]
        if nodeID.isEmpty {
            do {
                nodes = try await fileSystems.fileSystemAttachments(id: id).map(\.instanceID)
            } catch let error as CloudError where error.meansAbsent {
                log.info("volume does not exist; nothing to detach")
                return
            }
        }
        for node in nodes {
            do {
                try await fileSystems.detachFileSystem(id: id, instanceID: node)
                log.info("VFS detached", metadata: ["node.previous": .string(node)])
            } catch let error as CloudError where error.meansAbsent {
                log.info("VFS is not attached to this node; nothing to detach")
            } catch let error as CloudError where error.mayHaveCommitted {
                do {
                    _ = try await fileSystems.fileSystemAttachment(id: id, instanceID: node)
                } catch let check as CloudError where check.meansAbsent {
                    continue
                }
                throw error
            }
        }
    }

    func expandFileSystemVolume(_ fileSystem: FileSystem, _ range: CapacityRange, _ capability: VolumeCapability?,
                                _ log: Logger) async throws -> ControllerExpandVolumeResponse {
        let fileSystems = try requireFileSystems()
        if let capability, let problem = VolumeCapabilityCheck.problem(with: capability, for: .vfs) {
            throw DriverError.invalidArgument(problem)
        }
        let size = try VolumeSize.gigabytes(for: range, sizes: FileSystem.sizeRange, kind: "vfs")
        // The cloud grows the shared filesystem itself: nothing is left for the nodes to do.
        return try await expand(from: fileSystem.sizeGB, to: size, nodeExpansionRequired: false, log) {
            do {
                _ = try await fileSystems.resizeFileSystem(id: fileSystem.id, sizeGB: size)
            } catch let error as CloudError where error.meansAbsent {
                throw DriverError.notFound("volume \(VolumeHandle(type: .vfs, cloudID: fileSystem.id)) does not exist")
            }
        }
    }

    // MARK: Shared

    /// The volume a CSI id names, or `NOT_FOUND`. A `vfs-` id is a VFS; any other id is a block,
    /// or (when the cloud has no block by that id) a VFS that vultr-csi named by its bare id.
    func resolve(_ volumeID: String) async throws -> ControllerVolume {
        let handle = VolumeHandle(volumeID: volumeID)
        if handle.type == .vfs { return .vfs(try await existingFileSystem(handle.cloudID)) }
        do {
            return .block(try await cloud.volume(id: volumeID))
        } catch let error as CloudError where error.meansAbsent {
            if let fileSystems, error.status != nil {
                do {
                    return .vfs(try await fileSystems.fileSystem(id: volumeID))
                } catch let error as CloudError where error.meansAbsent {}
            }
            throw DriverError.notFound("volume \(volumeID) does not exist")
        }
    }

    /// The VFS, or `NOT_FOUND`.
    func existingFileSystem(_ id: String) async throws -> FileSystem {
        let fileSystems = try requireFileSystems()
        do {
            return try await fileSystems.fileSystem(id: id)
        } catch let error as CloudError where error.meansAbsent {
            throw DriverError.notFound("volume \(VolumeHandle(type: .vfs, cloudID: id)) does not exist")
        }
    }

    func publishedNodes(_ fileSystem: FileSystem) async throws -> [String] {
        do {
            return try await requireFileSystems().fileSystemAttachments(id: fileSystem.id).map(\.instanceID).sorted()
        } catch let error as CloudError where error.meansAbsent {
            return []
        }
    }

    func waitUntilActive(_ fileSystem: FileSystem, _ context: CallContext) async throws -> FileSystem {
        guard fileSystem.status != .active else { return fileSystem }
        let fileSystems = try requireFileSystems()
        return try await CloudWait.until("VFS \(fileSystem.id) becoming active", deadline: waitDeadline(context),
                                         firstCheck: options.provisioningDelay,
                                         fetch: { [id = fileSystem.id] in try await fileSystems.fileSystem(id: id) },
                                         done: { $0.status == .active })
    }

    func csiVolume(_ fileSystem: FileSystem) -> CSI.Volume {
        var result = CSI.Volume()
        result.volumeId = VolumeHandle(type: .vfs, cloudID: fileSystem.id).volumeID
        result.capacityBytes = VolumeSize.bytes(fileSystem.sizeGB)
        result.accessibleTopology = [RegionTopology.topology(region: fileSystem.region)]
        return result
    }

    private func response(_ fileSystem: FileSystem) -> CreateVolumeResponse {
        var response = CreateVolumeResponse()
        var volume = csiVolume(fileSystem)
        volume.volumeContext = [PublishContext.storageTypeKey: StorageType.vfs.rawValue]
        response.volume = volume
        return response
    }
}
