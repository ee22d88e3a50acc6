/// How the local cloud numbers an instance's network: its VPC, MAC addresses and IPv6 address,
/// all derived from stable inputs so that a restart or a re-read gives the same answer.
enum InstanceNetwork {
    /// The IPv6 /64 every local instance's `v6_main_ip` comes from (unique local, never routed).
    static let v6Prefix = "fd6c:6f63:616c:1"
    static let v6PrefixLength = 64

    /// A region's default VPC: every instance created without `attach_vpc` joins it, so instances
    /// of one region share a private network as they do on Vultr once VPC is enabled.
    static func defaultVPC(region: String) -> String {
        let hex = region.lowercased().utf8.prefix(6).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        let tail = String(repeating: "0", count: 12 - hex.count) + hex
        return "10ca1c10-0d00-4000-8000-" + tail
    }

    /// The `n`th instance's public MAC (locally administered, unicast).
    static func mac(_ n: Int, interface: Int = 0) -> String {
        let value = UInt32(truncatingIfNeeded: n)
        let bytes: [UInt8] = [0x5a, 0x00 | UInt8(interface & 0x0f), UInt8(value >> 24 & 0xff),
                              UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
        return bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }

    /// The private interface's MAC: the public one with the interface nibble set.
    static func privateMAC(of publicMAC: String) -> String {
        var parts = publicMAC.split(separator: ":").map(String.init)
        guard parts.count == 6 else { return publicMAC }
        parts[1] = "01"
        return parts.joined(separator: ":")
    }

    /// The `n`th instance's IPv6 address.
    static func v6Address(_ n: Int) -> String {
        "\(v6Prefix)::\(String(n, radix: 16))"
    }

    /// Whether `text` is an IPv6 address in the textual forms an API body would carry.
    static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":"), text.count <= 45 else { return false }
        let allowed = Set("0123456789abcdefABCDEF:.")
        guard text.allSatisfy(allowed.contains) else { return false }
        let chars = Array(text)
        let doubleColons = (0..<max(chars.count - 1, 0)).filter { chars[$0] == ":" && chars[$0 + 1] == ":" }.count
        guard doubleColons <= 1 else { return false }
        let groups = text.split(separator: ":", omittingEmptySubsequences: true)
        let hasV4Tail = groups.last?.contains(".") == true
        let hexGroups = hasV4Tail ? groups.dropLast() : groups[...]
        guard hexGroups.allSatisfy({ $0.count <= 4 && !$0.contains(".") }) else { return false }
        if hasV4Tail, AddressPool.parseIPv4(String(groups.last!)) == nil { return false }
        let width = hexGroups.count + (hasV4Tail ? 2 : 0)
        return doubleColons == 1 ? width < 8 : width == 8
    }
}
