import Foundation

/// Turns route-table entries into kernel routes inside one network namespace (`ip -n NS`),
/// never the host's own table. Every route it installs carries protocol number
/// ``protocolNumber``, so it only ever changes or removes routes it made. Next hops are set
/// `onlink` on one device (given, or the namespace's first non-loopback interface), so they need
/// not be on a connected subnet. Blocks (it runs `ip`): call it from the store's threads.
struct RouteApplier: Sendable {
    /// `proto 250` marks the local cloud's routes.
    static let protocolNumber = 250

    let namespace: String
    let device: String

    init(namespace: String, device: String?) throws {
        self.namespace = namespace
        if let device {
            self.device = device
            return
        }
        let links = try Self.json(CommandRunner.run(["ip", "-n", namespace, "-j", "link", "show"]))
        guard let name = links.compactMap({ $0["ifname"] as? String }).first(where: { $0 != "lo" }) else {
            throw RouteApplierError("network namespace \(namespace) has no interface but lo: give one with --route-device")
        }
        self.device = name
    }

    func install(destination: String, nextHop: String) throws {
        try CommandRunner.run([
            "ip", "-n", namespace, "route", "replace", destination, "via", nextHop, "dev", device, "onlink",
            "proto", "\(Self.protocolNumber)",
        ])
    }

    /// Removes the route to `destination` if this applier made it; a route already gone is fine.
    func remove(destination: String) throws {
        guard try installed()[destination] != nil else { return }
        try CommandRunner.run(["ip", "-n", namespace, "route", "del", destination, "proto", "\(Self.protocolNumber)"])
    }

    /// Destination → next hop of the routes this applier made (`proto 250`) in the namespace.
    func installed() throws -> [String: String] {
        let routes = try Self.json(
            CommandRunner.run(["ip", "-n", namespace, "-j", "route", "show", "proto", "\(Self.protocolNumber)"]))
        var result: [String: String] = [:]
        for route in routes {
            guard var destination = route["dst"] as? String else { continue }
            if !destination.contains("/") && destination != "default" { destination += "/32" }
            result[destination] = route["gateway"] as? String ?? ""
        }
        return result
    }

    /// Makes the namespace's `proto 250` routes exactly `table` (destination → next hop):
    /// stale ones go, missing or different ones are (re)placed.
    func reconcile(_ table: [String: String]) throws -> (installed: Int, removed: Int) {
        let current = try installed()
        var removed = 0
        for destination in current.keys where table[destination] == nil {
            try CommandRunner.run(["ip", "-n", namespace, "route", "del", destination, "proto", "\(Self.protocolNumber)"])
            removed += 1
        }
        var installed = 0
        for (destination, hop) in table.sorted(by: { $0.key < $1.key }) where current[destination] != hop {
            try install(destination: destination, nextHop: hop)
            installed += 1
        }
        return (installed, removed)
    }

    private static func json(_ text: String) throws -> [[String: Any]] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        guard let list = try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [[String: Any]] else {
            throw RouteApplierError("ip -j printed something other than a JSON list")
        }
        return list
    }
}

/// A namespace or device the route applier cannot work with.
struct RouteApplierError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
