import CloudAPI
import CSIDriver
import CSI

/// Volume sizes: the cloud sells whole GB (here, GiB: 2^30 bytes, what Kubernetes' `Gi` means),
/// within a range per block type. CSI asks in bytes with an optional upper limit.
public enum VolumeSize {
    public static let bytesPerGB: Int64 = 1 << 30

    /// The size to create for `range`: `required_bytes` rounded up to whole GB and raised to the
    /// type's minimum (the minimum when nothing is required). `OUT_OF_RANGE` when that exceeds
    /// the type's maximum or `limit_bytes`; `INVALID_ARGUMENT` for negative or crossed bounds.
    public static func gigabytes(for range: CapacityRange?, type: BlockType, atLeast floor: Int = 0) throws(DriverError) -> Int {
        try gigabytes(for: range, sizes: type.sizeRange, kind: type.rawValue, atLeast: floor)
    }

    /// The same rules for any kind of volume sold in whole GB within `sizes` (a VFS: 10–10,000).
    public static func gigabytes(for range: CapacityRange?, sizes: ClosedRange<Int>, kind: String,
                                 atLeast floor: Int = 0) throws(DriverError) -> Int {
        let required = range?.requiredBytes ?? 0
        let limit = range?.limitBytes ?? 0
        guard required >= 0, limit >= 0 else {
            throw .invalidArgument("capacity_range must not be negative (required_bytes \(required), limit_bytes \(limit))")
        }
        if limit > 0, required > limit {
            throw .invalidArgument("capacity_range.required_bytes \(required) exceeds limit_bytes \(limit)")
        }
        let wanted = Int((required + bytesPerGB - 1) / bytesPerGB)
        let size = max(wanted, sizes.lowerBound, floor)
        guard size <= sizes.upperBound else {
            throw .outOfRange("\(required) bytes is more than the \(sizes.upperBound) GiB a \(kind) volume can hold")
        }
        if limit > 0, Int64(size) * bytesPerGB > limit {
            throw .outOfRange("the smallest \(kind) volume for this request is \(size) GiB, above limit_bytes \(limit) "
                + "(sizes are whole GiB from \(sizes.lowerBound) to \(sizes.upperBound))")
        }
        return size
    }

    /// Whether an existing volume of `sizeGB` satisfies `range` (for idempotent creates).
    public static func satisfies(_ sizeGB: Int, _ range: CapacityRange?) -> Bool {
        let bytes = Int64(sizeGB) * bytesPerGB
        guard let range else { return true }
        return bytes >= range.requiredBytes && (range.limitBytes == 0 || bytes <= range.limitBytes)
    }

    public static func bytes(_ sizeGB: Int) -> Int64 { Int64(sizeGB) * bytesPerGB }
}
