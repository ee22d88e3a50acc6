import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Runs one load balancer's health checks: per target a repeated NIO task (no thread sleeps)
/// that connects to the target's address at the check port and, for `http`/`https`, asks for the
/// path and wants a 2xx or 3xx status within the timeout. Outcomes go to the ``TargetPool``.
final class HealthMonitor: Sendable {
    private let group: any EventLoopGroup
    private let limiter: ProbeLimiter
    private let tasks = Mutex<[RepeatedTask]>([])

    init(group: any EventLoopGroup, limiter: ProbeLimiter = .shared) {
        self.group = group
        self.limiter = limiter
    }

    /// Replaces the running checks with checks of `targets` as `check` says; `onChange` hears
    /// every change of a target's health.
    func restart(
        targets: [BalancerSpec.Target], check: BalancerSpec.HealthCheck, pool: TargetPool,
        onChange: @escaping @Sendable (BalancerSpec.Target, TargetPool.Health) -> Void
    ) {
        stop()
        let limiter = self.limiter
        let started = targets.enumerated().map { index, target in
            let loop = group.next()
            // The first checks are spread over up to a second, so that many targets do not
            // stay in step interval after interval.
            let spread = TimeAmount.milliseconds(Int64(index * 1000 / max(targets.count, 1)))
            return loop.scheduleRepeatedAsyncTask(
                initialDelay: spread, delay: .seconds(Int64(check.checkInterval))
            ) { _ in
                limiter.run(on: loop) { Self.probe(target.address, check, on: loop) }.map { success in
                    if let changed = pool.record(target, success: success, check: check) { onChange(target, changed) }
                }
            }
        }
        tasks.withLock { $0 = started }
    }

    func stop() {
        for task in tasks.withLock({ tasks in defer { tasks = [] }; return tasks }) { task.cancel() }
    }

    /// One check; the future always succeeds, with whether the target passed.
    static func probe(_ address: String, _ check: BalancerSpec.HealthCheck, on loop: any EventLoop) -> EventLoopFuture<Bool> {
        let timeout = TimeAmount.seconds(Int64(check.responseTimeout))
        let bootstrap = ClientBootstrap(group: loop).connectTimeout(timeout)
        guard check.protocol == "http" || check.protocol == "https" else {
            return bootstrap.connect(host: address, port: check.port)
                .flatMap { $0.close().map { true } }
                .recover { _ in false }
        }
        let outcome = loop.makePromise(of: Int.self)
        let path = check.path.isEmpty ? "/" : check.path
        let request = "GET \(path) HTTP/1.1\r\nHost: \(address):\(check.port)\r\nUser-Agent: localcloud-health-check\r\nConnection: close\r\n\r\n"
        let secure = check.protocol == "https"
        let connected = bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                if secure {
                    guard let context = BackendTLS.context else { throw TLSMaterialError("no TLS client context") }
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                }
                try channel.pipeline.syncOperations.addHandler(StatusLineReader(request: request, outcome: outcome))
            }
        }.connect(host: address, port: check.port)
        connected.whenFailure { outcome.fail($0) }
        let deadline = loop.scheduleTask(in: timeout) { outcome.fail(ChannelError.connectTimeout(timeout)) }
        return outcome.futureResult.map { (200..<400).contains($0) }.recover { _ in false }.always { _ in
            deadline.cancel()
            connected.whenSuccess { $0.close(promise: nil) }
        }
    }
}

/// Sends one HTTP request and reads the status code from the first response line.
private final class StatusLineReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private let outcome: EventLoopPromise<Int>
    private var received = ByteBuffer()

    init(request: String, outcome: EventLoopPromise<Int>) {
        self.request = request
        self.outcome = outcome
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        guard let end = received.readableBytesView.firstRange(of: [0x0D, 0x0A]) else { return }
        let line = String(decoding: received.readableBytesView[..<end.lowerBound], as: UTF8.self)
        let parts = line.split(separator: " ")
        if parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) {
            outcome.succeed(code)
        } else {
            outcome.fail(ChannelError.inappropriateOperationForState)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        outcome.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        outcome.fail(error)
        context.close(promise: nil)
    }
}
