import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One active load balancer's data plane: its listeners (one per frontend port and transport),
/// the connections they accepted, its targets and their health checks. Listeners read the
/// current ``spec`` for every new connection, so most changes need no new socket; listeners open
/// and close only as forwarding rules come and go.
final class BalancerRuntime: Sendable {
    let id: String
    let pool = TargetPool()
    private let group: any EventLoopGroup
    private let logger: Logger
    private let status: DataPlaneStatus
    private let health: HealthMonitor

    private struct State {
        var spec: BalancerSpec
        var tls: NIOSSLContext?
        var listeners: [BalancerSpec.ListenerKey: any Channel] = [:]
        var listenerErrors: [BalancerSpec.ListenerKey: String] = [:]
        var connections: [ObjectIdentifier: (channel: any Channel, key: BalancerSpec.ListenerKey)] = [:]
        var started = false
    }

    private let state: Mutex<State>

    init(spec: BalancerSpec, group: any EventLoopGroup, logger: Logger, status: DataPlaneStatus) {
        id = spec.id
        self.group = group
        var logger = logger
        logger[metadataKey: "load_balancer.id"] = "\(spec.id)"
        self.logger = logger
        self.status = status
        health = HealthMonitor(group: group)
        state = Mutex(State(spec: spec))
    }

    var spec: BalancerSpec { state.withLock { $0.spec } }

    // MARK: Reconciling

    /// Brings the runtime to `spec`: targets and health checks, TLS context, listeners.
    func update(_ spec: BalancerSpec) async {
        let (old, started) = state.withLock { state in
            defer {
                state.spec = spec
                state.started = true
            }
            return (state.spec, state.started)
        }
        if !started || old.tls != spec.tls { rebuildTLS(spec.tls) }
        if !started || old.targets != spec.targets || old.healthCheck != spec.healthCheck {
            pool.setTargets(spec.targets, resetHealth: started && old.healthCheck != spec.healthCheck)
            health.restart(targets: spec.targets, check: spec.healthCheck, pool: pool) { [weak self] target, health in
                self?.logger.info("target health changed", metadata: ["target.address": "\(target.address)", "target.health": "\(health)"])
                self?.publishHealth()
            }
            publishHealth()
        }
        let wanted = Set(spec.rules.map(\.listenerKey))
        let (stale, missing) = state.withLock { state in
            let stale = state.listeners.filter { !wanted.contains($0.key) }
            for key in stale.keys { state.listeners[key] = nil }
            state.listenerErrors = state.listenerErrors.filter { wanted.contains($0.key) }
            return (stale, wanted.filter { state.listeners[$0] == nil })
        }
        for (key, channel) in stale {
            try? await channel.close()
            closeConnections { $0 == key }
            logger.info("listener closed", metadata: ["listener": "\(key)"])
        }
        for key in missing.sorted(by: { $0.port < $1.port }) { await open(key, address: spec.address) }
        publishListenerErrors()
    }

    /// Closes every listener and connection and stops the health checks.
    func shutdown() async {
        health.stop()
        let listeners = state.withLock { state in
            defer { state.listeners = [:] }
            return Array(state.listeners.values)
        }
        for channel in listeners { try? await channel.close() }
        closeConnections { _ in true }
        status.remove(id)
        logger.info("load balancer stopped")
    }

    private func open(_ key: BalancerSpec.ListenerKey, address: String) async {
        do {
            let channel: any Channel
            if key.udp {
                channel = try await DatagramBootstrap(group: group)
                    .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(UDPRelayHandler(runtime: self, port: key.port))
                        }
                    }
                    .bind(host: address, port: key.port).get()
            } else {
                channel = try await ServerBootstrap(group: group)
                    .serverChannelOption(ChannelOptions.backlog, value: 512)
                    .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                    .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                    .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                    .childChannelInitializer { channel in self.accept(channel, key) }
                    .bind(host: address, port: key.port).get()
            }
            let previous = state.withLock { state in
                defer {
                    state.listeners[key] = channel
                    state.listenerErrors[key] = nil
                }
                return state.listenerErrors[key]
            }
            logger.info("listening", metadata: ["listener": "\(key)", "address": "\(address)", "recovered": "\(previous != nil)"])
        } catch {
            let message = "\(error)"
            let previous = state.withLock { state in
                defer { state.listenerErrors[key] = message }
                return state.listenerErrors[key]
            }
            if previous != message {
                logger.warning("listener cannot open", metadata: ["listener": "\(key)", "address": "\(address)", "error": "\(message)"])
            }
        }
    }

    private func rebuildTLS(_ material: BalancerSpec.TLSMaterial?) {
        var context: NIOSSLContext?
        if let material {
            do {
                context = try material.makeServerContext()
            } catch {
                // The key is never logged: only the reason it was refused.
                logger.warning("TLS certificate or key unusable; https frontends refuse connections", metadata: ["error": "\(error)"])
            }
        }
        state.withLock { $0.tls = context }
    }

    private func closeConnections(where matches: (BalancerSpec.ListenerKey) -> Bool) {
        let channels = state.withLock { state in
            let chosen = state.connections.filter { matches($0.value.key) }
            for id in chosen.keys { state.connections[id] = nil }
            return chosen.values.map(\.channel)
        }
        for channel in channels { channel.close(promise: nil) }
    }

    private func publishHealth() {
        let port = spec.healthCheck.port
        let health = pool.snapshot().map {
            DataPlaneStatus.TargetHealth(instanceId: $0.target.instanceID, address: $0.target.address, port: port, state: $0.health.rawValue)
        }
        status.set(id) { $0.health = health }
    }

    private func publishListenerErrors() {
        let errors = state.withLock { state in
            state.listenerErrors.sorted { $0.key.port < $1.key.port }.map {
                DataPlaneStatus.ListenerError(frontendPort: $0.key.port, protocol: $0.key.udp ? "udp" : "tcp", error: $0.value)
            }
        }
        status.set(id) { $0.listenerErrors = errors }
    }

    // MARK: Connections

    private struct Refused: Error {}

    /// Sets up an accepted TCP connection (runs on its event loop, inside the child initializer).
    private func accept(_ channel: any Channel, _ key: BalancerSpec.ListenerKey) -> EventLoopFuture<Void> {
        let (spec, tls) = state.withLock { ($0.spec, $0.tls) }
        guard let rule = spec.rule(for: key), spec.firewall.admits(channel.remoteAddress?.ipAddress, port: key.port) else {
            return channel.eventLoop.makeFailedFuture(Refused())
        }
        let secure = rule.frontendProtocol == "https"
        if secure && tls == nil { return channel.eventLoop.makeFailedFuture(Refused()) }
        let connectionID = ObjectIdentifier(channel)
        state.withLock { $0.connections[connectionID] = (channel, key) }
        channel.closeFuture.whenComplete { _ in _ = self.state.withLock { $0.connections.removeValue(forKey: connectionID) } }
        return channel.eventLoop.makeCompletedFuture {
            if secure, let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
            let frontend = RelayHandler()
            try channel.pipeline.syncOperations.addHandler(frontend)
            let httpAware = (rule.frontendProtocol == "http" || secure)
                && (spec.stickyCookie != nil || (spec.sslRedirect && rule.frontendProtocol == "http"))
            guard httpAware else {
                connect(frontend, channel, rule, spec, preferred: nil)
                return
            }
            frontend.onPending = { handler in
                let head = SniffedRequestHead.parse(handler.pendingBytes)
                guard head != nil || handler.inputClosed || handler.pendingBytes.readableBytes > SniffedRequestHead.maximumBytes else { return }
                handler.onPending = nil
                if spec.sslRedirect, rule.frontendProtocol == "http", let head {
                    let httpsPort = spec.rules.first { $0.frontendProtocol == "https" }?.frontendPort ?? 443
                    let location = head.redirectLocation(httpsPort: httpsPort, fallbackHost: spec.address)
                    handler.respondAndClose(ByteBuffer(string:
                        "HTTP/1.1 301 Moved Permanently\r\nLocation: \(location)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
                    return
                }
                self.connect(handler, channel, rule, spec, preferred: spec.stickyCookie.flatMap { head?.cookies[$0] })
            }
        }
    }

    /// Chooses a target and joins `frontend` to a new connection to it. With no target able to
    /// take the connection, the client's connection is closed at once.
    private func connect(
        _ frontend: RelayHandler, _ channel: any Channel, _ rule: BalancerSpec.Rule, _ spec: BalancerSpec, preferred: String?
    ) {
        guard let target = pool.acquire(spec.algorithm, preferred: preferred) else {
            frontend.close()
            return
        }
        let backend = RelayHandler()
        if let cookie = spec.stickyCookie, preferred != target.instanceID {
            backend.insertAfterFirstLine = "Set-Cookie: \(cookie)=\(target.instanceID); Path=/; HttpOnly\r\n"
        }
        let loop = channel.eventLoop
        let boundBackend = NIOLoopBound(backend, eventLoop: loop)
        let secureBackend = rule.backendProtocol == "https"
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { backendChannel in
                backendChannel.eventLoop.makeCompletedFuture {
                    if secureBackend {
                        guard let context = BackendTLS.context else { throw TLSMaterialError("no TLS client context") }
                        try backendChannel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    }
                    try backendChannel.pipeline.syncOperations.addHandler(boundBackend.value)
                }
            }
            .connect(host: target.address, port: rule.backendPort)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let backendChannel):
                    // The connection stops counting (leastconn) as soon as either side ends.
                    var released = false
                    let release = {
                        if !released { self.pool.release(target) }
                        released = true
                    }
                    backend.onInactive = release
                    frontend.onInactive = release
                    // The client may have gone while we connected (its channel may also not be
                    // active *yet*: registration and connect race, so ask the handler).
                    guard frontend.isOpen else {
                        backendChannel.close(promise: nil)
                        return
                    }
                    if let version = spec.proxyProtocol {
                        let header = ProxyProtocolHeader.encode(
                            version: version, source: channel.remoteAddress, destination: channel.localAddress)
                        backendChannel.write(header, promise: nil)
                    }
                    backend.attach(frontend)
                    frontend.attach(backend)
                    backendChannel.flush()
                case .failure(let error):
                    self.pool.release(target)
                    self.logger.debug("backend connect failed", metadata: ["target.address": "\(target.address)", "error": "\(error)"])
                    frontend.close()
                }
            }
    }
}
