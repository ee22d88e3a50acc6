import CSI
import CSIDriver
import RPC
import SystemIO

extension NodeService {
    /// Volume context / StorageClass parameter asking for a LUKS-encrypted volume (`"true"`).
    public static let encryptedKey = EncryptionParameter.contextKey
    /// Node-stage (and node-expand) secret holding the LUKS passphrase.
    public static let passphraseSecretKey = "encryption-passphrase"

    /// The dm-crypt mapping name of an encrypted volume. Only ids made of letters, digits and
    /// `_ . -` qualify, so the name maps back to exactly one volume.
    static func mappingName(_ volumeID: String) throws(DriverError) -> String {
        let plain = PlainWord.check(volumeID, lettersDigitsAnd: "_.-")
        guard plain, volumeID.utf8.count <= 100 else {
            throw DriverError.invalidArgument("volume_id \"\(volumeID)\" cannot name an encrypted mapping (letters, digits, _ . - only)")
        }
        return "mooring-\(volumeID)"
    }

    /// Whether the volume context asks for encryption; a value other than true/false is refused.
    static func wantsEncryption(_ context: [String: String]) throws(DriverError) -> Bool {
        guard let value = context[encryptedKey] else { return false }
        switch value.lowercased() {
        case "true": return true
        case "false", "": return false
        default: throw DriverError.invalidArgument("volume context \(encryptedKey)=\"\(value)\" must be true or false")
        }
    }

    /// The passphrase from the stage secrets, as bytes.
    static func passphrase(_ secrets: [String: String], volumeID: String) throws(DriverError) -> [UInt8] {
        guard let passphrase = secrets[passphraseSecretKey], !passphrase.isEmpty else {
            throw DriverError.invalidArgument(
                "volume \(volumeID) is encrypted but the node-stage secrets carry no \"\(passphraseSecretKey)\"")
        }
        return Array(passphrase.utf8)
    }

    /// Opens the encrypted volume on `device` (formatting LUKS onto a blank device first) and
    /// returns the mapped device to put a filesystem on. An already open mapping of the same
    /// device is reused.
    func openEncrypted(volumeID: String, device: String, number: DeviceNumber,
                       passphrase: [UInt8]) async throws -> (path: String, device: DeviceNumber) {
        let name = try Self.mappingName(volumeID)
        if let open = try await encryption.mapping(name: name) {
            guard try await mounter.blockDevice(at: open.backingDevice) == number else {
                throw DriverError.failedPrecondition(
                    "mapping \(name) is open on \(open.backingDevice), not on volume \(volumeID)'s device \(device)")
            }
            return try await mapped(open.path)
        }
        switch try await mounter.probe(device: device) {
        case .blank:
            logger.info("encrypting blank device", metadata: ["volume.id": .string(volumeID), "device": .string(device)])
            try await encryption.format(device: device, passphrase: passphrase)
        case .filesystem("crypto_LUKS"):
            break
        case .filesystem(let type):
            throw DriverError.failedPrecondition(
                "volume \(volumeID) asks for encryption but device \(device) holds an unencrypted \(type) filesystem; it is not formatted over")
        case .other(let what):
            throw DriverError.failedPrecondition("device \(device) of volume \(volumeID) holds \(what); it is not formatted over")
        }
        do {
            return try await mapped(try await encryption.open(device: device, name: name, passphrase: passphrase))
        } catch let error as CommandError where error.reason == .exited(2) {
            // cryptsetup's status 2: no key slot opened with this passphrase.
            throw DriverError.failedPrecondition("the passphrase does not open encrypted volume \(volumeID)")
        }
    }

    private func mapped(_ path: String) async throws -> (path: String, device: DeviceNumber) {
        guard let number = try await mounter.blockDevice(at: path) else {
            throw DriverError.internal("opened mapping \(path) does not exist")
        }
        return (path, number)
    }

    /// Closes the volume's mapping if it is open (after its filesystem was unmounted).
    func closeEncrypted(volumeID: String) async throws {
        guard let name = try? Self.mappingName(volumeID), try await encryption.mapping(name: name) != nil else { return }
        try await encryption.close(name: name)
        logger.info("closed encrypted mapping", metadata: ["volume.id": .string(volumeID)])
    }
}
