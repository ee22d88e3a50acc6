/// LUKS encryption of a volume's device (dm-crypt), one job apart from mounting so unprivileged
/// tests can stand in for it. Passphrases travel as bytes to the tool's standard input only:
/// never in a command line, an error or a log line.
public protocol VolumeEncryption: Sendable {
    /// Writes a LUKS2 header with `passphrase` onto a device known to be blank.
    func format(device: String, passphrase: [UInt8]) async throws
    /// Opens the LUKS device as mapping `name`; returns the mapped device's path.
    func open(device: String, name: String, passphrase: [UInt8]) async throws -> String
    /// The open mapping called `name` (its path and the device under it), or nil when closed.
    func mapping(name: String) async throws -> EncryptedMapping?
    /// Closes mapping `name`.
    func close(name: String) async throws
    /// Grows mapping `name` to its (enlarged) device.
    func resize(name: String, passphrase: [UInt8]?) async throws
}

/// An open dm-crypt mapping.
public struct EncryptedMapping: Sendable, Equatable {
    /// `/dev/mapper/<name>`.
    public var path: String
    /// The encrypted device under it, e.g. `/dev/loop3`.
    public var backingDevice: String

    public init(path: String, backingDevice: String) {
        self.path = path
        self.backingDevice = backingDevice
    }
}
