/// A Linux device number, `major:minor`.
public struct DeviceNumber: Sendable, Hashable, CustomStringConvertible {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    /// From `major:minor` text (as /proc/self/mountinfo shows it).
    public init?(_ text: String) {
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
