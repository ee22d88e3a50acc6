import NIOCore
import NIOPosix

/// The listening side of a UDP forwarding rule: each client address gets a session, a socket of
/// its own bound on the load balancer's address and talking to one target, so replies find their
/// way back. Sessions idle for ``idleTimeout`` are closed (checked as datagrams arrive).
final class UDPRelayHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    static let idleTimeout = TimeAmount.seconds(30)

    private struct Session {
        var target: BalancerSpec.Target
        var destination: SocketAddress
        var channel: (any Channel)?
        var queued: [ByteBuffer] = []
        var lastSeen: NIODeadline
    }

    private let runtime: BalancerRuntime
    private let port: Int
    private var sessions: [SocketAddress: Session] = [:]

    init(runtime: BalancerRuntime, port: Int) {
        self.runtime = runtime
        self.port = port
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let client = envelope.remoteAddress
        let now = NIODeadline.now()
        expire(before: now - Self.idleTimeout)
        if var session = sessions[client] {
            session.lastSeen = now
            if let channel = session.channel {
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: session.destination, data: envelope.data), promise: nil)
            } else {
                session.queued.append(envelope.data)
            }
            sessions[client] = session
            return
        }
        let spec = runtime.spec
        guard let rule = spec.rule(for: .init(port: port, udp: true)),
            spec.firewall.admits(client.ipAddress, port: port),
            let target = runtime.pool.acquire(spec.algorithm)
        else { return }
        guard let destination = try? SocketAddress(ipAddress: target.address, port: rule.backendPort) else {
            runtime.pool.release(target)
            return
        }
        sessions[client] = Session(target: target, destination: destination, queued: [envelope.data], lastSeen: now)
        let listener = context.channel
        DatagramBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPReplyHandler(listener: listener, client: client))
                }
            }
            .bind(host: spec.address, port: 0)
            .assumeIsolated()
            .whenComplete { result in
                guard var session = self.sessions[client] else {
                    if case .success(let channel) = result { channel.close(promise: nil) }
                    return
                }
                switch result {
                case .success(let channel):
                    for datagram in session.queued {
                        channel.write(AddressedEnvelope(remoteAddress: destination, data: datagram), promise: nil)
                    }
                    channel.flush()
                    session.queued = []
                    session.channel = channel
                    self.sessions[client] = session
                case .failure:
                    self.sessions[client] = nil
                    self.runtime.pool.release(target)
                }
            }
    }

    func channelInactive(context: ChannelHandlerContext) {
        expire(before: .distantFuture)
        context.fireChannelInactive()
    }

    private func expire(before deadline: NIODeadline) {
        for (client, session) in sessions where session.lastSeen < deadline {
            session.channel?.close(promise: nil)
            runtime.pool.release(session.target)
            sessions[client] = nil
        }
    }
}

/// A session socket's reader: datagrams from the target go back to the client through the
/// listening socket.
private final class UDPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let listener: any Channel
    private let client: SocketAddress

    init(listener: any Channel, client: SocketAddress) {
        self.listener = listener
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        listener.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: reply.data), promise: nil)
    }
}
