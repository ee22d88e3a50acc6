import Kubernetes
import MetricsHTTP

extension HealthzCheck {
    /// Fails while `elector` leads without having renewed for longer than the lease duration
    /// plus `tolerance`.
    static func leaderElection(_ elector: LeaderElector, tolerance: Duration = .seconds(20)) -> HealthzCheck {
        HealthzCheck(name: "leaderElection") {
            elector.isHealthy(tolerance: tolerance) ? nil : "the leader lease has not been renewed in time"
        }
    }
}
