import CSIDriver
import RPC
import SystemIO

/// `VolumeEncryption` with cryptsetup (LUKS2, key from standard input).
public struct LinuxVolumeEncryption: VolumeEncryption {
    public let runner: CommandRunner
    public var mapperDirectory = "/dev/mapper"

    public init(runner: CommandRunner = CommandRunner()) {
        self.runner = runner
    }

    public func format(device: String, passphrase: [UInt8]) async throws {
        // Never write a LUKS header that this kernel could not open afterwards.
        try await requireDeviceMapper()
        try await runner.run(["cryptsetup", "luksFormat", "--type", "luks2", "--batch-mode", "--key-file", "-", device],
                             input: passphrase, timeout: .seconds(300))
    }

    public func open(device: String, name: String, passphrase: [UInt8]) async throws -> String {
        try await requireDeviceMapper()
        try await runner.run(["cryptsetup", "luksOpen", "--key-file", "-", device, name], input: passphrase,
                             timeout: .seconds(120))
        return "\(mapperDirectory)/\(name)"
    }

    public func mapping(name: String) async throws -> EncryptedMapping? {
        let path = "\(mapperDirectory)/\(name)"
        let exists = await Blocking.run { LocalFiles.exists(path) }
        guard exists else { return nil }
        // "  device:  /dev/loop3"
        let status = try await runner.run(["cryptsetup", "status", name], timeout: .seconds(30)).stdout
        guard let line = status.split(separator: "\n").first(where: { trimmedSpaces($0).hasPrefix("device:") }) else {
            throw DriverError.internal("cryptsetup status \(name) names no device")
        }
        return EncryptedMapping(path: path, backingDevice: trimmedSpaces(trimmedSpaces(line).dropFirst("device:".count)))
    }

    public func close(name: String) async throws {
        try await runner.run(["cryptsetup", "luksClose", name], timeout: .seconds(120))
    }

    public func resize(name: String, passphrase: [UInt8]?) async throws {
        var argv = ["cryptsetup", "resize"]
        if passphrase != nil { argv += ["--key-file", "-"] }
        try await runner.run(argv + [name], input: passphrase, timeout: .seconds(120))
    }

    /// Throws `FAILED_PRECONDITION` when the kernel offers no device-mapper (no dm-crypt).
    func requireDeviceMapper() async throws {
        let present = await Blocking.run { LocalFiles.exists("/sys/class/misc/device-mapper") }
        guard present else {
            throw DriverError.failedPrecondition(
                "this node's kernel has no device-mapper (/sys/class/misc/device-mapper is missing), so encrypted volumes cannot be opened here")
        }
    }
}
