import Foundation
import MetricsHTTP

/// Everything a ``LocalCloudServer`` needs to run: where it listens, where its state lives, how
/// strict it is and which faults it injects.
public struct LocalCloudConfiguration: Sendable {
    /// Address to listen on; loopback by default.
    public var host: String
    /// TCP port; 0 picks a free one (read it back from ``LocalCloudServer/port``).
    public var port: Int
    /// Directory for the SQLite state and, with real devices, the sparse backing files.
    public var dataDirectory: URL
    /// Directory where `virtio-<mount_id>` symlinks appear for attached blocks (real devices).
    public var deviceDirectory: URL
    /// Where VFS contents live: a directory per VFS, and `tags/<mount_tag>` links for attachments
    /// (what `csi-node --vfs-dir` bind-mounts). Default: `<dataDirectory>/vfs`.
    public var vfsDirectory: URL
    /// Back blocks with sparse files and loop devices (needs root); otherwise bookkeeping only.
    public var realDevices: Bool
    /// The bearer token every `/v2` call must carry.
    public var apiKey: String
    /// Requests per second allowed per source address; 0 turns the limit off.
    public var rateLimit: Double
    /// Requests a source address may send at once before the rate applies.
    public var rateBurst: Double
    /// Blocks one instance may have attached at once.
    public var attachLimit: Int
    /// How long new resources stay `pending` before they turn `active`.
    public var pendingDuration: Duration
    /// Regions the cloud offers.
    public var regions: [String]
    /// Pool for instances' public addresses (`main_ip`).
    public var publicPool: String
    /// Pool for instances' private addresses (`internal_ip`).
    public var privatePool: String
    /// Pool for load balancers' addresses.
    public var loadBalancerPool: String
    /// Random faults to inject into `/v2` calls.
    public var faults: FaultSpec
    /// Where to serve `/metrics` and `/healthz` apart from the API; nil for nowhere.
    public var metricsAddress: ListenAddress?
    /// Network namespace whose routing table mirrors the route table (`proto 250` routes); nil
    /// keeps routes bookkeeping only. Never the host's own namespace unless named so.
    public var applyRoutesNamespace: String?
    /// Device the applied routes use (`onlink`); nil picks the namespace's first non-lo one.
    public var routeDevice: String?
    /// Run load balancers' listeners (the data plane); off, load balancers are bookkeeping only.
    public var loadBalancerDataPlane: Bool
    /// How often the data plane is brought in line with the store when nothing signalled a
    /// change (a safety net: API changes and load balancers turning active apply at once).
    public var loadBalancerResync: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        dataDirectory: URL,
        deviceDirectory: URL? = nil,
        vfsDirectory: URL? = nil,
        realDevices: Bool = false,
        apiKey: String,
        rateLimit: Double = 30,
        rateBurst: Double = 30,
        attachLimit: Int = 16,
        pendingDuration: Duration = .milliseconds(500),
        regions: [String] = ["ewr", "ams", "fra", "sjc", "lcl"],
        publicPool: String = "127.1.0.0/16",
        privatePool: String = "127.2.0.0/16",
        loadBalancerPool: String = "127.3.0.0/16",
        faults: FaultSpec = FaultSpec(),
        metricsAddress: ListenAddress? = nil,
        applyRoutesNamespace: String? = nil,
        routeDevice: String? = nil,
        loadBalancerDataPlane: Bool = true,
        loadBalancerResync: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.deviceDirectory = deviceDirectory ?? dataDirectory.appendingPathComponent("dev")
        self.vfsDirectory = vfsDirectory ?? dataDirectory.appendingPathComponent("vfs")
        self.realDevices = realDevices
        self.apiKey = apiKey
        self.rateLimit = rateLimit
        self.rateBurst = rateBurst
        self.attachLimit = attachLimit
        self.pendingDuration = pendingDuration
        self.regions = regions
        self.publicPool = publicPool
        self.privatePool = privatePool
        self.loadBalancerPool = loadBalancerPool
        self.faults = faults
        self.metricsAddress = metricsAddress
        self.applyRoutesNamespace = applyRoutesNamespace
        self.routeDevice = routeDevice
        self.loadBalancerDataPlane = loadBalancerDataPlane
        self.loadBalancerResync = loadBalancerResync
    }
}
