import CloudAPI
import Foundation

/// The value parsers annotations are declared with.
extension Annotation {
    /// `true`/`false` (any case), as Go's `strconv.ParseBool` also accepts `1`/`0`.
    static func bool(_ raw: String) -> Result<Bool, Annotation<Bool>.ParseFailure> {
        switch raw.lowercased() {
        case "true", "1", "t", "yes", "on": .success(true)
        case "false", "0", "f", "no", "off": .success(false)
        default: .failure(.init("'\(raw)' is not a boolean (true or false)"))
        }
    }

    /// A whole number within `range`.
    static func integer(_ raw: String, in range: ClosedRange<Int>) -> Result<Int, Annotation<Int>.ParseFailure> {
        guard let value = Int(raw) else { return .failure(.init("'\(raw)' is not a whole number")) }
        guard range.contains(value) else {
            return .failure(.init("\(value) is outside \(range.lowerBound)–\(range.upperBound)"))
        }
        return .success(value)
    }

    /// One of `choices` (case-insensitive), mapped to its value.
    static func choice<T>(_ raw: String, _ choices: KeyValuePairs<String, T>) -> Result<T, Annotation<T>.ParseFailure> {
        if let match = choices.first(where: { $0.key == raw.lowercased() }) { return .success(match.value) }
        return .failure(.init("'\(raw)' is not one of \(choices.map(\.key).joined(separator: ", "))"))
    }

    /// A non-empty string.
    static func nonEmpty(_ raw: String) -> Result<String, Annotation<String>.ParseFailure> {
        raw.isEmpty ? .failure(.init("must not be empty")) : .success(raw)
    }

    /// Comma-separated ports, e.g. `443,8443`.
    static func ports(_ raw: String) -> Result<Set<Int>, Annotation<Set<Int>>.ParseFailure> {
        var ports = Set<Int>()
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let port = Int(text), (1...65535).contains(port) else {
                return .failure(.init("'\(text)' is not a port (1–65535)"))
            }
            ports.insert(port)
        }
        return .success(ports)
    }

    /// A DNS name (RFC 1123 labels, at least two of them).
    static func dnsName(_ raw: String) -> Result<String, Annotation<String>.ParseFailure> {
        let labels = raw.split(separator: ".", omittingEmptySubsequences: false)
        let valid = raw.count <= 253 && labels.count >= 2 && labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        return valid ? .success(raw.lowercased()) : .failure(.init("'\(raw)' is not a DNS name"))
    }

    /// Vultr's firewall rule list: `source,port` pairs separated by `;`, where source is a CIDR
    /// or `cloudflare`, e.g. `10.0.0.0/8,80;cloudflare,443`.
    static func firewallRules(_ raw: String) -> Result<[LoadBalancer.FirewallRule], Annotation<[LoadBalancer.FirewallRule]>.ParseFailure> {
        var rules: [LoadBalancer.FirewallRule] = []
        for entry in raw.split(separator: ";", omittingEmptySubsequences: true) {
            let parts = entry.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2 else { return .failure(.init("'\(entry)' is not 'source,port'")) }
            guard let port = Int(parts[1]), (1...65535).contains(port) else {
                return .failure(.init("'\(parts[1])' is not a port (1–65535)"))
            }
            if parts[0] == "cloudflare" {
                rules.append(.init(port: port, source: "cloudflare"))
            } else if let family = CIDR.family(of: parts[0]) {
                rules.append(.init(port: port, source: parts[0], isIPv6: family == .v6))
            } else {
                return .failure(.init("'\(parts[0])' is neither a CIDR nor 'cloudflare'"))
            }
        }
        return .success(rules)
    }
}
