/// Hands out IPv4 addresses from a CIDR, in order, skipping the network address.
struct AddressPool: Sendable {
    let name: String
    private let base: UInt32
    private let size: UInt32

    init(name: String, cidr: String) throws(AddressPoolError) {
        self.name = name
        guard let (base, prefix) = Self.parse(cidr), prefix <= 30 else {
            throw AddressPoolError("\(name) pool '\(cidr)' is not an IPv4 CIDR with a prefix of at most /30")
        }
        self.base = base
        size = UInt32(1) << UInt32(32 - prefix)
    }

    /// The `n`th address (n from 1); fails once the pool is exhausted.
    func address(_ n: Int) throws(APIFailure) -> String {
        guard n > 0, UInt32(n) < size - 1 else {
            throw APIFailure(.conflict, "\(name) address pool exhausted")
        }
        return Self.format(base + UInt32(n))
    }

    /// The pool's netmask in dotted form, e.g. `255.255.0.0` for a /16.
    var netmask: String {
        Self.format(~(size - 1))
    }

    static func parse(_ cidr: String) -> (UInt32, Int)? {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
            let address = parseIPv4(String(parts[0]))
        else { return nil }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        return (address & mask, prefix)
    }

    static func parseIPv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet), String(byte) == octet else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }
}
