import SystemIO

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
