/// What a block device holds.
public enum DeviceContent: Sendable, Equatable {
    /// Nothing blkid recognises: safe to format.
    case blank
    /// A filesystem of the given type (`ext4`, `xfs`, `crypto_LUKS`, ...).
    case filesystem(String)
    /// Something else (a partition table, an ambiguous signature): never formatted over.
    case other(String)
}
