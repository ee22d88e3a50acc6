#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address or network (`10.244.0.0/16`, `fd00::/64`), for "is this route inside
/// the cluster CIDR" and "is this the same address" questions.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// 4 or 16 bytes, host bits as written.
    public let bytes: [UInt8]
    public let prefixLength: Int

    /// Parses `ADDRESS/PREFIX`, or a bare address (a host network).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.address(String(parts[0])) else { return nil }
        let maximum = bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...maximum).contains(prefix) else { return nil }
            prefixLength = prefix
        } else {
            prefixLength = maximum
        }
        self.bytes = bytes
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// `true` when every address of `other` lies inside this network.
    public func contains(_ other: IPNetwork) -> Bool {
        guard other.bytes.count == bytes.count, other.prefixLength >= prefixLength else { return false }
        var remaining = prefixLength
        for index in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != other.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String {
        var text: String
        if isIPv4 {
            text = bytes.map(String.init).joined(separator: ".")
        } else {
            var buffer = [CChar](repeating: 0, count: 64)
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return prefixLength == bytes.count * 8 ? text : "\(text)/\(prefixLength)"
    }

    /// Two spellings of the same address compare equal (`fd00::1` and `fd00:0::1`).
    public static func sameAddress(_ a: String, _ b: String) -> Bool {
        guard let x = address(a), let y = address(b) else { return a == b }
        return x == y
    }

    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
