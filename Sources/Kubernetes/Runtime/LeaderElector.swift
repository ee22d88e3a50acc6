import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Leader election on a Lease: waits to acquire it, runs `whileLeading` while renewing it every
/// retry period, and if a renewal cannot be made within the renew deadline (or another holder
/// appears) cancels that work and throws `LeaderElectionError.lost`, so a `ServiceGroup` stops
/// and the process exits. A clean stop (cancellation or graceful shutdown) releases the lease.
public final class LeaderElector: ServiceLifecycle.Service, Sendable {
    public let configuration: LeaderElectionConfiguration
    private let client: KubernetesClient
    private let logger: Logger
    private let whileLeading: @Sendable () async throws -> Void
    private let state: Mutex<State>
    private let leaderGauge: Gauge

    private struct State {
        var machine: LeaderElectionStateMachine
        var isLeader = false
        var lastRenewal: ContinuousClock.Instant?
        var observedHolder: String?
    }

    private enum Attempt {
        case holding
        case heldByOther(String)
        case failed
    }

    public init(
        client: KubernetesClient, configuration: LeaderElectionConfiguration, logger: Logger,
        whileLeading: @escaping @Sendable () async throws -> Void
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.whileLeading = whileLeading
        self.state = Mutex(
            State(
                machine: LeaderElectionStateMachine(
                    identity: configuration.identity, leaseDuration: configuration.leaseDuration)))
        self.leaderGauge = Gauge(label: "leader_election_master_status", dimensions: [("name", configuration.leaseName)])
    }

    /// Runs `services` (in a `ServiceGroup`, shut down in reverse order) while leading.
    public convenience init(
        client: KubernetesClient, configuration: LeaderElectionConfiguration, logger: Logger,
        services: [any ServiceLifecycle.Service]
    ) {
        self.init(client: client, configuration: configuration, logger: logger) {
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
            try await group.run()
        }
    }

    public var isLeader: Bool { state.withLock { $0.isLeader } }

    /// The holder this instance last saw on the lease.
    public var observedHolder: String? { state.withLock { $0.observedHolder } }

    /// Unhealthy when this instance believes it leads but has not renewed for longer than the
    /// lease duration plus `tolerance` (a wedged renew loop): for `/healthz`.
    public func isHealthy(tolerance: Duration = .seconds(20), now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            guard state.isLeader, let last = state.lastRenewal else { return true }
            return now - last <= configuration.leaseDuration + tolerance
        }
    }

    public func run() async throws {
        try configuration.validate()
        try await cancelWhenGracefulShutdown {
            try await self.campaign()
        }
    }

    private func campaign() async throws {
        logger.info(
            "waiting to acquire leader lease",
            metadata: ["lease": "\(configuration.namespace)/\(configuration.leaseName)", "identity": "\(configuration.identity)"])
        while true {
            if Task.isCancelled { return }
            if case .holding = await attempt() { break }
            do {
                try await Task.sleep(for: configuration.retryPeriod * Double.random(in: 1.0..<1.2))
            } catch {
                return
            }
        }
        setLeader(true)
        logger.info("became leader", metadata: ["identity": "\(configuration.identity)"])
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.whileLeading() }
                group.addTask { try await self.renewUntilLost() }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch let error as LeaderElectionError {
            setLeader(false)
            logger.info("stopped leading", metadata: ["reason": "\(error)"])
            throw error
        } catch {
            setLeader(false)
            await releaseDetached()
            if Task.isCancelled || error is CancellationError { return }
            throw error
        }
        setLeader(false)
        await releaseDetached()
    }

    private func renewUntilLost() async throws {
        var lastRenewal = ContinuousClock.now
        while true {
            try await Task.sleep(for: configuration.retryPeriod)
            switch await attempt() {
            case .holding:
                lastRenewal = .now
            case .heldByOther(let holder):
                throw LeaderElectionError(code: .lost, message: "lease taken by \(holder)")
            case .failed:
                if ContinuousClock.now - lastRenewal >= configuration.renewDeadline {
                    throw LeaderElectionError(
                        code: .lost, message: "could not renew the lease within \(configuration.renewDeadline)")
                }
            }
        }
    }

    /// One read-decide-write round against the API.
    private func attempt() async -> Attempt {
        let now = ContinuousClock.now
        let current: Lease?
        do {
            current = try await client.get(Lease.self, name: configuration.leaseName, namespace: configuration.namespace)
        } catch let error as KubernetesError where error.code == .notFound {
            current = nil
        } catch {
            logger.debug("could not read the lease", metadata: ["error": "\(error)"])
            return .failed
        }
        let decision = state.withLock { state in
            let decision = state.machine.decide(current: current?.spec, now: now, wallClock: Date())
            state.observedHolder = current?.spec.holderIdentity
            return decision
        }
        do {
            let written: Lease
            switch decision {
            case .held(let holder):
                return .heldByOther(holder)
            case .create(let spec):
                var lease = Lease(name: configuration.leaseName, namespace: configuration.namespace)
                lease.spec = spec
                written = try await client.create(lease)
            case .update(let spec):
                guard var lease = current else { return .failed }
                lease.spec = spec
                written = try await client.update(lease)
            }
            state.withLock { state in
                state.machine.wrote(written.spec, at: now)
                state.lastRenewal = now
                state.observedHolder = configuration.identity
            }
            return .holding
        } catch {
            logger.debug("could not write the lease", metadata: ["error": "\(error)"])
            return .failed
        }
    }

    /// Hands the lease back, outside the (cancelled) caller's task so the request still goes out.
    private func releaseDetached() async {
        guard configuration.releaseOnCancel else { return }
        await Task { await self.release() }.value
    }

    /// Re-reads the lease (a renewal cut short by the stop may have landed) and, if we still
    /// hold it, writes it back with no holder.
    private func release() async {
        do {
            try await retryOnConflict {
                let current = try await client.get(
                    Lease.self, name: configuration.leaseName, namespace: configuration.namespace)
                guard let spec = state.withLock({ $0.machine.release(current.spec, wallClock: Date()) }) else { return }
                var released = current
                released.spec = spec
                _ = try await client.update(released)
                logger.info("released leader lease", metadata: ["identity": "\(configuration.identity)"])
            }
        } catch {
            logger.info("could not release the lease", metadata: ["error": "\(error)"])
        }
    }

    private func setLeader(_ leading: Bool) {
        state.withLock { $0.isLeader = leading }
        leaderGauge.record(leading ? 1 : 0)
    }
}
