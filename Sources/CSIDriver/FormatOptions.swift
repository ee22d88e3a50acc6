/// Extra `mkfs` arguments from the volume context (StorageClass parameter `fsFormatOptions`,
/// space-separated, e.g. `-b 4096 -E nodiscard`). Each word may hold letters, digits and
/// `_ . = , - :` only (no paths, no shell syntax); options that would point mkfs at another
/// device or file, force over an existing filesystem or only pretend to format are refused, and
/// the device is always the last argument.
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
            let allowed = PlainWord.check(word, lettersDigitsAnd: "_.=,-:")
            guard allowed, word.utf8.count <= 128 else {
                throw DriverError.invalidArgument("\(contextKey) word \"\(PlainWord.printable(word))\" is not allowed")
            }
            // "--" would end option parsing and turn the words after it into positional
            // arguments (device, block count) ahead of the driver's own.
            guard word != "--" else {
                throw DriverError.invalidArgument("\(contextKey) must not contain \"--\"")
            }
            if word.hasPrefix("-"), forbidden.contains(String(word.prefix(2))) {
                throw DriverError.invalidArgument("\(contextKey) option \(word) is reserved for the driver")
            }
        }
        return words
    }
}
