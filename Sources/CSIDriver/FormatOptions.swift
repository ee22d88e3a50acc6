/// Extra `mkfs` arguments from the volume context (StorageClass parameter `fsFormatOptions`,
/// space-separated, e.g. `-b 4096 -E nodiscard`). Each word is checked like a mount option plus
/// `,` and `/`-free values; options that would point mkfs at another device or file, or force
/// over an existing filesystem, are refused, and the device is always the last argument.
public enum FormatOptions {
    /// The volume context key carrying the options.
    public static let contextKey = "fsFormatOptions"

    /// mkfs flags the driver controls itself (force, device/journal/layout choices, dry runs).
    static let forbidden: Set<String> = ["-F", "-f", "-d", "-O", "-c", "-l", "-j", "-J", "-N", "-n", "-V"]

    public static func validate(_ text: String?) throws(DriverError) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard words.count <= 32 else { throw DriverError.invalidArgument("\(contextKey) has more than 32 words") }
        for word in words {
            let allowed = word.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "-"),
                        UInt8(ascii: ":")].contains(byte)
            }
            guard allowed, word.utf8.count <= 128 else {
                throw DriverError.invalidArgument("\(contextKey) word \"\(MountOptions.printable(word))\" is not allowed")
            }
            if word.hasPrefix("-"), forbidden.contains(String(word.prefix(2))) {
                throw DriverError.invalidArgument("\(contextKey) option \(word) is reserved for the driver")
            }
        }
        return words
    }
}
