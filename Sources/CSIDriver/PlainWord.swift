/// The one character check for words that reach command lines and device names (mount options,
/// mkfs options, device and mapping names): ASCII letters and digits plus the few punctuation
/// characters each caller lists, nothing else.
package enum PlainWord {
    package static func check(_ text: String, lettersDigitsAnd punctuation: String) -> Bool {
        let extra = Set(punctuation.utf8)
        return text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || extra.contains(byte)
        }
    }

    /// `text` with control characters shown as `?`, safe to put in a message.
    package static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) }.prefix(80))
    }
}
