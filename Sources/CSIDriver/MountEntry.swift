/// One line of `/proc/self/mountinfo`: what is mounted where.
public struct MountEntry: Sendable, Equatable {
    /// The mounted filesystem's device number (`major:minor`); for a filesystem on a block device
    /// it is that device's number, so it identifies the disk whatever path names it.
    public var device: DeviceNumber
    /// The directory within the filesystem that is mounted here (`/` unless a bind of a subtree).
    public var root: String
    public var mountPoint: String
    /// Per-mount options (`rw`/`ro`, `noatime`, ...).
    public var options: [String]
    public var fsType: String
    public var source: String

    public var readOnly: Bool { options.contains("ro") }

    /// Parses the kernel's text; lines that do not parse are skipped.
    public static func parse(mountinfo text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap(parse(line:))
    }

    static func parse(line: Substring) -> MountEntry? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count > dash + 2, let device = DeviceNumber(String(fields[2]))
        else { return nil }
        return MountEntry(device: device, root: unescape(fields[3]), mountPoint: unescape(fields[4]),
                          options: fields[5].split(separator: ",").map(String.init), fsType: String(fields[dash + 1]),
                          source: unescape(fields[dash + 2]))
    }

    /// Undoes the kernel's octal escapes (`\040` for a space, `\134` for a backslash, ...).
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A Linux device number, `major:minor`.
public struct DeviceNumber: Sendable, Hashable, CustomStringConvertible {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let major = UInt32(parts[0]), let minor = UInt32(parts[1]) else { return nil }
        self.init(major: major, minor: minor)
    }

    /// From `st_rdev`/`st_dev` (glibc's encoding; `major()`/`minor()` are macros the importer drops).
    public init(raw: UInt64) {
        major = UInt32(((raw >> 8) & 0xfff) | ((raw >> 32) & 0xffff_f000))
        minor = UInt32((raw & 0xff) | ((raw >> 12) & 0xffff_ff00))
    }

    public var description: String { "\(major):\(minor)" }
}
