import Foundation
import GRDB
import Logging

/// Answers API calls: authentication, routing, validation and state changes. Every call runs
/// synchronously inside one database transaction, so it must run on the store's own threads.
final class APIHandler: Sendable {
    let configuration: LocalCloudConfiguration
    let store: Store
    let devices: any BlockDevices
    let publicPool: AddressPool
    let privatePool: AddressPool
    let loadBalancerPool: AddressPool
    /// Where VFS contents live (`--vfs-dir`).
    let fileSystemContents: FileSystemContents
    /// What the load-balancer data plane reports (per-target health, listener errors).
    let dataPlaneStatus = DataPlaneStatus()
    /// Where route-table entries become kernel routes, when the cloud was given a namespace.
    let routeApplier: RouteApplier?
    let logger: Logger

    init(
        configuration: LocalCloudConfiguration, store: Store, devices: any BlockDevices, routeApplier: RouteApplier? = nil,
        logger: Logger
    ) throws {
        self.configuration = configuration
        self.store = store
        self.devices = devices
        publicPool = try AddressPool(name: "public", cidr: configuration.publicPool)
        privatePool = try AddressPool(name: "private", cidr: configuration.privatePool)
        loadBalancerPool = try AddressPool(name: "load balancer", cidr: configuration.loadBalancerPool)
        fileSystemContents = FileSystemContents(root: configuration.vfsDirectory)
        self.routeApplier = routeApplier
        self.logger = logger
    }

    /// Brings attached blocks' devices back where they went missing (after a reboot, or a
    /// loop device detached by hand). Runs once at startup.
    func restoreDevices() throws {
        try store.write { db in
            for block in try Store.all(BlockRecord.self, db) where !block.attachedToInstance.isEmpty {
                let recorded = try Store.devicePath(block: block.id, db) ?? ""
                let path = try devices.ensureAttached(block: block.id, mountID: block.mountId, devicePath: recorded)
                if path != recorded {
                    logger.info("device restored", metadata: ["block.id": "\(block.id)", "device": "\(path)"])
                    try Store.setDevicePath(path, block: block.id, db)
                }
            }
        }
    }

    /// True when the call carries the right bearer token (or needs none).
    func isAuthorized(_ request: APIRequest) -> Bool {
        guard request.pathComponents.first == "v2" else { return true }
        guard let header = request.header("Authorization"), header.hasPrefix("Bearer ") else { return false }
        let presented = Array(header.dropFirst("Bearer ".count).utf8)
        let expected = Array(configuration.apiKey.utf8)
        // Compare in constant time for equal lengths.
        guard presented.count == expected.count else { return false }
        return zip(presented, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    func handle(_ request: APIRequest) -> APIResponse {
        do {
            guard isAuthorized(request) else {
                throw APIFailure(.unauthorized, "Invalid API token.")
            }
            return try store.write { db in try route(request, db) }
        } catch let failure as APIFailure {
            return .failure(failure)
        } catch {
            logger.error("request failed", metadata: ["error": "\(error)", "http.path": "\(request.pathComponents.joined(separator: "/"))"])
            return .failure(APIFailure(.internalError, "internal error: \(error)"))
        }
    }

    private func route(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let p = r.pathComponents
        switch (r.method, p.count, p.first) {
        case ("GET", 1, "v1.json"): return try metadata(r, db)
        case (_, 1, "healthz"): return .json(["status": "ok"])
        case (_, _, "v2"): break
        default: throw Self.noSuchEndpoint(r)
        }
        guard p.count >= 2 else { throw Self.noSuchEndpoint(r) }
        let rest = Array(p.dropFirst(2))
        switch p[1] {
        case "regions": return try regions(r, rest)
        case "instances": return try instances(r, rest, db)
        case "bare-metals": return try bareMetals(r, rest, db)
        case "blocks" where rest.first == "snapshots": return try snapshots(r, Array(rest.dropFirst()), db)
        case "blocks": return try blocks(r, rest, db)
        case "vfs": return try fileSystems(r, rest, db)
        case "load-balancers": return try loadBalancers(r, rest, db)
        case "routes": return try routes(r, rest, db)
        default: throw Self.noSuchEndpoint(r)
        }
    }

    // MARK: Helpers shared by the endpoints

    static func noSuchEndpoint(_ r: APIRequest) -> APIFailure {
        APIFailure(.notFound, "no such endpoint: /\(r.pathComponents.joined(separator: "/"))")
    }

    static func methodNotAllowed(_ r: APIRequest) -> APIFailure {
        APIFailure(.methodNotAllowed, "method \(r.method) not allowed on /\(r.pathComponents.joined(separator: "/"))")
    }

    static func newID() -> String { UUID().uuidString.lowercased() }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date()).replacingOccurrences(of: "Z", with: "+00:00")
    }

    var readyAt: Date {
        let d = configuration.pendingDuration.components
        return Date().addingTimeInterval(Double(d.seconds) + Double(d.attoseconds) / 1e18)
    }

    /// The region a request names, as the cloud spells it (lower case). Codes are
    /// case-insensitive: Vultr's metadata document says `EWR`, and vultr-csi passes that on.
    func requireRegion(_ region: String?) throws(APIFailure) -> String {
        guard let region, !region.isEmpty else { throw APIFailure(.badRequest, "missing field 'region'") }
        guard let known = configuration.regions.first(where: { $0.lowercased() == region.lowercased() }) else {
            throw APIFailure(.badRequest, "invalid region '\(region)' (known: \(configuration.regions.joined(separator: ", ")))")
        }
        return known
    }

    /// A paginated list answer: `{"<key>": [...], "meta": {...}}`.
    func list<R: StoredResource>(_ type: R.Type, key: String, _ r: APIRequest, _ db: Database) throws -> APIResponse {
        let pagination = try Pagination(query: r.query)
        let page = try Store.page(R.self, pagination, db)
        return .json(ListBody(key: key, items: page.items, total: page.total, next: page.next))
    }
}
