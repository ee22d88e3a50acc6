/// A 64-bit FNV-1a digest over parts, for noticing that something the cloud does not report
/// back (a TLS key pair, HTTP/2 on or off) changed. Not a secret-protecting hash, and it need not
/// be: 64 bits of a digest say nothing usable about a private key.
struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 { mix(byte) }
        mix(0x1f)  // separator, so ("ab","c") and ("a","bc") differ
    }

    private mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x100_0000_01b3
    }

    var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
