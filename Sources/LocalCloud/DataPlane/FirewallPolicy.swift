/// Which sources may connect to which frontend ports: a port with any firewall rule admits only
/// IPv4 sources inside one of its CIDRs; ports without rules are open. `cloudflare` sources and
/// IPv6 rules admit no local (IPv4) address.
struct FirewallPolicy: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        var base: UInt32
        var mask: UInt32
    }

    private var networks: [Int: [Network]] = [:]

    init() {}

    /// `rules` as (port, ip_type, source).
    init(_ rules: [(port: Int, ipType: String, source: String)]) {
        for rule in rules {
            var list = networks[rule.port] ?? []
            if rule.ipType == "v4", let (base, prefix) = AddressPool.parse(rule.source) {
                list.append(Network(base: base, mask: prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)))
            }
            networks[rule.port] = list
        }
    }

    func admits(_ source: String?, port: Int) -> Bool {
        guard let list = networks[port] else { return true }
        guard let source, let address = AddressPool.parseIPv4(source) else { return false }
        return list.contains { address & $0.mask == $0.base }
    }
}
