import CSI
import CSIDriver
import RPC
import SystemIO

extension NodeService {
    /// NodeGetVolumeStats: bytes and inodes of a mounted filesystem, or the size of a raw block
    /// volume. An unknown path is `NOT_FOUND`; a path where the volume is no longer mounted, or
    /// whose filesystem fails to answer, is reported with an abnormal volume condition.
    func volumeStats(_ request: NodeGetVolumeStatsRequest) async throws -> NodeGetVolumeStatsResponse {
        let (volumeID, path) = try Self.volumeAndPath(request.volumeId, volumePath: request.volumePath,
                                                      stagingTargetPath: request.stagingTargetPath)
        var response = NodeGetVolumeStatsResponse()
        let kind: LocalFiles.Kind
        do {
            kind = try await Blocking.run { try LocalFiles.kind(path) }
        } catch let error as SystemError {
            // stat itself failing (EIO, ENOTCONN) on an existing path: the volume is unhealthy.
            response.volumeCondition = Self.condition(abnormal: true, "volume \(volumeID) at \(path): \(error.description)")
            return response
        }
        if kind == .missing {
            throw DriverError.notFound("volume path \(path) of volume \(volumeID) does not exist")
        }
        guard try await !mounter.mounts(at: path).isEmpty else {
            response.volumeCondition = Self.condition(abnormal: true, "volume \(volumeID) is not mounted at \(path)")
            return response
        }
        do {
            if case .blockDevice = kind {
                var usage = VolumeUsage()
                usage.total = try await mounter.deviceSize(path)
                usage.unit = .bytes
                response.usage = [usage]
            } else {
                let stats = try await mounter.statistics(path)
                var bytes = VolumeUsage()
                bytes.unit = .bytes
                bytes.total = stats.totalBytes
                bytes.available = stats.availableBytes
                bytes.used = stats.usedBytes
                var inodes = VolumeUsage()
                inodes.unit = .inodes
                inodes.total = stats.totalInodes
                inodes.available = stats.freeInodes
                inodes.used = stats.usedInodes
                response.usage = [bytes, inodes]
            }
            response.volumeCondition = Self.condition(abnormal: false, "")
        } catch {
            response.volumeCondition = Self.condition(abnormal: true, "volume \(volumeID) at \(path) does not answer: \(error)")
        }
        return response
    }

    static func condition(abnormal: Bool, _ message: String) -> VolumeCondition {
        var condition = VolumeCondition()
        condition.abnormal = abnormal
        condition.message = message
        return condition
    }
}
