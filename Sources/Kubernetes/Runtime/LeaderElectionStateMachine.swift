import Foundation

/// The lease decision at the heart of leader election, free of I/O so it can be tested alone.
///
/// Validity is judged on this process's monotonic clock from the moment it *observed* the lease
/// record change, never from the timestamps in the record, so clock skew between instances does
/// not matter.
struct LeaderElectionStateMachine: Sendable {
    enum Decision: Sendable, Equatable {
        /// No lease exists: create one with this spec.
        case create(LeaseSpec)
        /// Take over or renew: write this spec (with the read resourceVersion, so a race loses).
        case update(LeaseSpec)
        /// Another holder's lease is still valid.
        case held(by: String)
    }

    let identity: String
    let leaseDuration: Duration
    private(set) var observedSpec: LeaseSpec?
    private(set) var observedAt: ContinuousClock.Instant?

    init(identity: String, leaseDuration: Duration) {
        self.identity = identity
        self.leaseDuration = leaseDuration
    }

    /// Decides from the lease as just read (`nil`: it does not exist).
    mutating func decide(current: LeaseSpec?, now: ContinuousClock.Instant, wallClock: Date) -> Decision {
        guard let current else {
            var spec = LeaseSpec()
            spec.holderIdentity = identity
            spec.leaseDurationSeconds = Int(leaseDuration.components.seconds)
            spec.acquireTime = wallClock
            spec.renewTime = wallClock
            spec.leaseTransitions = 0
            return .create(spec)
        }
        if current != observedSpec {
            observedSpec = current
            observedAt = now
        }
        let holder = current.holderIdentity ?? ""
        let recordDuration = current.leaseDurationSeconds.map { Duration.seconds($0) } ?? leaseDuration
        if !holder.isEmpty, holder != identity, let observedAt, observedAt + recordDuration > now {
            return .held(by: holder)
        }
        var spec = current
        if holder != identity {
            spec.acquireTime = wallClock
            spec.leaseTransitions = (current.leaseTransitions ?? 0) + 1
        } else if spec.acquireTime == nil {
            spec.acquireTime = wallClock
        }
        spec.holderIdentity = identity
        spec.leaseDurationSeconds = Int(leaseDuration.components.seconds)
        spec.renewTime = wallClock
        return .update(spec)
    }

    /// Records a successful write of `spec` at `now`.
    mutating func wrote(_ spec: LeaseSpec, at now: ContinuousClock.Instant) {
        observedSpec = spec
        observedAt = now
    }

    /// The spec that hands the lease back, if we hold it according to `current`.
    func release(_ current: LeaseSpec, wallClock: Date) -> LeaseSpec? {
        guard current.holderIdentity == identity else { return nil }
        var spec = current
        spec.holderIdentity = nil
        spec.leaseDurationSeconds = 1
        spec.renewTime = wallClock
        return spec
    }
}
