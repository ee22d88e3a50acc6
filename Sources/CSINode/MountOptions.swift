import CSIDriver

/// Mount flags from a volume capability, checked before they reach `mount -o`. Each flag (a
/// comma-separated list counts as several) must be a plain option word such as `noatime`,
/// `discard` or `commit=30`: letters, digits and `_ . = : + -`, not starting with `-`. Options
/// that would change what is mounted or where (`bind`, `remount`, `loop`, `move`, ...) or that
/// the driver sets itself are refused, so a StorageClass cannot inject a different mount.
public enum MountOptions {
    /// Options only the driver may choose.
    public static let reserved: Set<String> = [
        "bind", "rbind", "move", "remount", "loop", "make-shared", "make-private", "make-slave",
        "make-unbindable", "make-rshared", "make-rprivate", "make-rslave", "make-runbindable",
        "x-mount.mkdir", "offset", "sizelimit", "encryption", "helper", "fstab", "suid", "dev", "exec",
    ]

    /// The individual options, validated, in order and without duplicates.
    public static func validate(_ flags: [String]) throws(DriverError) -> [String] {
        var options: [String] = []
        for flag in flags {
            for option in flag.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                try check(option)
                if !options.contains(option) { options.append(option) }
            }
        }
        return options
    }

    private static func check(_ option: String) throws(DriverError) {
        guard !option.isEmpty else { throw DriverError.invalidArgument("mount flags contain an empty option") }
        guard option.utf8.count <= 256 else { throw DriverError.invalidArgument("mount option is longer than 256 bytes") }
        let allowed = PlainWord.check(option, lettersDigitsAnd: "_.=:+-")
        guard allowed, !option.hasPrefix("-") else {
            throw DriverError.invalidArgument(
                "mount option \"\(PlainWord.printable(option))\" is not allowed: options are words like noatime or commit=30 (letters, digits, _ . = : + -)")
        }
        let name = String(option.split(separator: "=", maxSplits: 1).first ?? "")
        guard !reserved.contains(name.lowercased()) else {
            throw DriverError.invalidArgument("mount option \"\(option)\" is reserved for the driver")
        }
    }
}
