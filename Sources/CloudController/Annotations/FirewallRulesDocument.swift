import CloudAPI
import Foundation
import Yams

/// The `firewallRules` key of a `firewall-rules-cm` ConfigMap: YAML lists `v4:` and `v6:` of
/// `{source, port}`, source a CIDR of that family or `cloudflare`, e.g.
///
/// ```yaml
/// v4:
///   - source: 10.0.0.0/8
///     port: 80
///   - source: cloudflare
///     port: 443
/// v6:
///   - source: 2001:db8::/32
///     port: 80
/// ```
enum FirewallRulesDocument {
    static let key = "firewallRules"

    /// The rules, or why the text is not such a document (the message names the entry).
    static func parse(_ text: String) -> Result<[LoadBalancer.FirewallRule], Annotation<[LoadBalancer.FirewallRule]>.ParseFailure> {
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            return .failure(.init("\(key) is not YAML: \(error)"))
        }
        guard let top = document as? [String: Any] else {
            return .failure(.init("\(key) must be a mapping with lists v4 and v6"))
        }
        if let unknown = top.keys.sorted().first(where: { $0 != "v4" && $0 != "v6" }) {
            return .failure(.init("\(key) has '\(unknown)'; only v4 and v6 are known"))
        }
        var rules: [LoadBalancer.FirewallRule] = []
        for family in ["v4", "v6"] {
            guard let value = top[family], !(value is NSNull) else { continue }
            guard let entries = value as? [Any] else { return .failure(.init("\(key).\(family) must be a list")) }
            for (index, entry) in entries.enumerated() {
                let place = "\(key).\(family)[\(index)]"
                guard let fields = entry as? [String: Any] else { return .failure(.init("\(place) must have source and port")) }
                guard let source = (fields["source"] as? String)?.trimmingCharacters(in: .whitespaces), !source.isEmpty else {
                    return .failure(.init("\(place) has no source"))
                }
                let port = (fields["port"] as? Int) ?? (fields["port"] as? String).flatMap { Int($0) }
                guard let port, (1...65535).contains(port) else {
                    return .failure(.init("\(place) port must be 1–65535"))
                }
                if source != "cloudflare" {
                    guard let parsed = CIDR.family(of: source) else {
                        return .failure(.init("\(place) source '\(source)' is neither a CIDR nor 'cloudflare'"))
                    }
                    guard (parsed == .v6) == (family == "v6") else {
                        return .failure(.init("\(place) source '\(source)' is not an IP\(family) network"))
                    }
                }
                rules.append(.init(port: port, source: source, isIPv6: family == "v6"))
            }
        }
        return .success(rules)
    }
}
