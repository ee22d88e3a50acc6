/// `statvfs` of a mounted filesystem, in bytes and inodes.
public struct FilesystemStatistics: Sendable, Equatable {
    public var totalBytes: Int64
    public var availableBytes: Int64
    public var usedBytes: Int64
    public var totalInodes: Int64
    public var freeInodes: Int64
    public var usedInodes: Int64

    public init(totalBytes: Int64, availableBytes: Int64, usedBytes: Int64, totalInodes: Int64, freeInodes: Int64,
                usedInodes: Int64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
        self.usedBytes = usedBytes
        self.totalInodes = totalInodes
        self.freeInodes = freeInodes
        self.usedInodes = usedInodes
    }
}
