import Foundation

/// Recognises CIDR notation (`10.0.0.0/8`, `2001:db8::/32`).
enum CIDR {
    enum Family { case v4, v6 }

    /// The address family of a CIDR, or nil when `text` is not one.
    static func family(of text: String) -> Family? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].allSatisfy(\.isNumber), let prefix = Int(parts[1]) else { return nil }
        let address = String(parts[0])
        if address.contains(":") {
            return isIPv6(address) && (0...128).contains(prefix) ? .v6 : nil
        }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        let valid = octets.count == 4 && octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isNumber) && (Int(octet) ?? 256) <= 255
        }
        return valid && (0...32).contains(prefix) ? .v4 : nil
    }

    private static func isIPv6(_ address: String) -> Bool {
        let halves = address.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        let groups = halves.flatMap { $0.isEmpty ? [] : $0.split(separator: ":", omittingEmptySubsequences: false) }
        let hex = groups.allSatisfy { (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }
        return hex && (halves.count == 2 ? groups.count < 8 : groups.count == 8)
    }
}
