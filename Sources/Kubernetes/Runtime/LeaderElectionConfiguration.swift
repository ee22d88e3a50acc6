import Foundation

/// Where and how to hold a `coordination.k8s.io/v1` Lease.
public struct LeaderElectionConfiguration: Sendable {
    public var leaseName: String
    public var namespace: String
    /// Unique per process: `hostname_uuid` by default.
    public var identity: String
    /// How long a lease stays valid after its last renewal (15 s).
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before giving up leadership (10 s).
    public var renewDeadline: Duration
    /// Pause between attempts to acquire or renew (2 s).
    public var retryPeriod: Duration
    /// Hand the lease back on a clean stop so another instance takes over at once.
    public var releaseOnCancel: Bool

    public init(
        leaseName: String, namespace: String = "kube-system", identity: String = Self.defaultIdentity(),
        leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true
    ) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// `hostname_uuid`, as the upstream cloud-provider framework forms it. The host name comes
    /// from `gethostname` (no DNS lookup).
    public static func defaultIdentity() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var host = "unknown"
        if gethostname(&buffer, buffer.count) == 0 {
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            host = String(decoding: bytes, as: UTF8.self)
        }
        return "\(host)_\(UUID().uuidString.lowercased())"
    }

    /// Problems with the timings, the same rules client-go enforces.
    public func validate() throws {
        var problems: [String] = []
        if leaseDuration <= renewDeadline { problems.append("leaseDuration must be greater than renewDeadline") }
        if renewDeadline <= retryPeriod * 1.2 { problems.append("renewDeadline must be greater than 1.2 × retryPeriod") }
        if retryPeriod <= .zero { problems.append("retryPeriod must be positive") }
        if identity.isEmpty { problems.append("identity must not be empty") }
        if !problems.isEmpty { throw ConfigurationError(problems) }
    }
}
