import CSIDriver
@testable import CSINode
import Synchronization
@testable import SystemIO

/// dm-crypt in memory, for unprivileged tests: LUKS headers and open mappings are bookkeeping,
/// and an open mapping appears as a disk of the paired `FakeMounter`.
final class FakeEncryption: VolumeEncryption {
    struct State {
        /// Device → passphrase its LUKS header was written with.
        var headers: [String: [UInt8]] = [:]
        /// Mapping name → backing device.
        var open: [String: String] = [:]
        /// Backing device → what its decrypted content held when last closed.
        var inside: [String: FakeMounter.Disk] = [:]
        var formats = 0
    }

    let state = Mutex(State())
    let mounter: FakeMounter

    init(mounter: FakeMounter) {
        self.mounter = mounter
    }

    func format(device: String, passphrase: [UInt8]) async throws {
        state.withLock {
            $0.headers[device] = passphrase
            $0.formats += 1
        }
        mounter.state.withLock { $0.disks[device]?.content = .filesystem("crypto_LUKS") }
    }

    func open(device: String, name: String, passphrase: [UInt8]) async throws -> String {
        try state.withLock { state in
            guard state.headers[device] == passphrase else {
                throw CommandError(command: ["cryptsetup", "luksOpen", device, name], reason: .exited(2),
                                   stderr: "No key available with this passphrase.")
            }
            state.open[name] = device
        }
        let size = try await mounter.deviceSize(device)
        let kept = state.withLock { $0.inside[device] }
        mounter.addDisk("/dev/mapper/\(name)", minor: 200, size: size - (16 << 20), content: kept?.content ?? .blank)
        return "/dev/mapper/\(name)"
    }

    func mapping(name: String) async throws -> EncryptedMapping? {
        state.withLock { $0.open[name] }.map { EncryptedMapping(path: "/dev/mapper/\(name)", backingDevice: $0) }
    }

    func close(name: String) async throws {
        let disk = mounter.state.withLock { $0.disks.removeValue(forKey: "/dev/mapper/\(name)") }
        state.withLock { state in
            if let device = state.open.removeValue(forKey: name) { state.inside[device] = disk }
        }
    }

    func resize(name: String, passphrase: [UInt8]?) async throws {}
}
