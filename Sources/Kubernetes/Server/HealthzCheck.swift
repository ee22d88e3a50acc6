/// A named check `/healthz` runs; `nil` means healthy, a string says what is wrong.
public struct HealthzCheck: Sendable {
    public var name: String
    public var check: @Sendable () -> String?

    public init(name: String, check: @escaping @Sendable () -> String?) {
        self.name = name
        self.check = check
    }

    /// Fails while `elector` leads without having renewed for longer than the lease duration
    /// plus `tolerance`.
    public static func leaderElection(_ elector: LeaderElector, tolerance: Duration = .seconds(20)) -> HealthzCheck {
        HealthzCheck(name: "leaderElection") {
            elector.isHealthy(tolerance: tolerance) ? nil : "the leader lease has not been renewed in time"
        }
    }
}
