import Foundation
import NIOCore
import NIOPosix
import Testing

/// The data plane in-process over real loopback sockets: the server's load balancer forwards to
/// NIO echo backends bound on the instances' internal addresses.
@Suite struct DataPlaneTests {
    @Test func trafficReachesBothTargetsAndDeleteClosesTheListener() async throws {
        // Pools of their own, so parallel suites' load balancers cannot share an address.
        let octet = Int.random(in: 100...250)
        try await TestServer.with({
            $0.loadBalancerPool = "127.\(octet).1.0/24"
            $0.privatePool = "127.\(octet).2.0/24"
        }) { t in
            let instances = [try await t.createInstance(), try await t.createInstance()]
            var addresses: [String] = []
            for id in instances {
                let r = try await t.call(.GET, "/v2/instances/\(id)")
                addresses.append(try #require((r.json["instance"] as? [String: Any])?["internal_ip"] as? String))
            }
            let backendPort = Int.random(in: 20000...40000)
            let backends = try await [
                EchoBackend.start(name: "t0", host: addresses[0], port: backendPort),
                EchoBackend.start(name: "t1", host: addresses[1], port: backendPort),
            ]
            defer { for backend in backends { backend.close() } }
            let created = try await t.call(.POST, "/v2/load-balancers", body: [
                "region": "ewr", "instances": instances,
                "forwarding_rules": [["frontend_protocol": "tcp", "frontend_port": 8000, "backend_protocol": "tcp", "backend_port": backendPort]],
                "health_check": ["protocol": "tcp", "port": backendPort, "check_interval": 1, "response_timeout": 1,
                                 "unhealthy_threshold": 2, "healthy_threshold": 1],
            ])
            #expect(created.status == 202)
            let lb = try #require(created.json["load_balancer"] as? [String: Any])
            let id = try #require(lb["id"] as? String)
            let address = try #require(lb["ipv4"] as? String)

            var answers: [String] = []
            for attempt in 0..<200 where answers.isEmpty {
                if let answer = try? await exchange(address, 8000, "first") { answers.append(answer) }
                if attempt > 0 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(answers.count == 1, "the load balancer never answered")
            for n in 0..<6 { answers.append(try await exchange(address, 8000, "m\(n)")) }
            let servedBy: Set<String> = Set(answers.compactMap { answer in answer.split(separator: "|").first.map { String($0) } })
            #expect(servedBy == ["t0", "t1"])
            #expect(answers.last?.hasSuffix("|m5") == true)

            #expect(try await t.call(.DELETE, "/v2/load-balancers/\(id)").status == 204)
            var closed = false
            for _ in 0..<200 where !closed {
                do {
                    _ = try await exchange(address, 8000, "late")
                    try await Task.sleep(for: .milliseconds(50))
                } catch {
                    closed = true
                }
            }
            #expect(closed, "the listener stayed open after DELETE")
        }
    }

    /// With the safety resync an hour away, only the API's change signals (and the pending
    /// load balancer's ready time) can bring the listeners in line: a new load balancer starts
    /// once active, a forwarding rule added later accepts, a removed one and a deleted load
    /// balancer close.
    @Test func changesReachTheListenersWithoutPolling() async throws {
        let octet = Int.random(in: 100...250)
        try await TestServer.with({
            $0.loadBalancerPool = "127.\(octet).3.0/24"
            $0.privatePool = "127.\(octet).4.0/24"
            $0.loadBalancerResync = .seconds(3600)
        }) { t in
            let instance = try await t.createInstance()
            let got = try await t.call(.GET, "/v2/instances/\(instance)")
            let target = try #require((got.json["instance"] as? [String: Any])?["internal_ip"] as? String)
            let backendPort = Int.random(in: 20000...40000)
            let backend = try await EchoBackend.start(name: "t0", host: target, port: backendPort)
            defer { backend.close() }
            func rule(_ port: Int) -> [String: Any] {
                ["frontend_protocol": "tcp", "frontend_port": port, "backend_protocol": "tcp", "backend_port": backendPort]
            }
            let created = try await t.call(.POST, "/v2/load-balancers", body: [
                "region": "ewr", "instances": [instance], "forwarding_rules": [rule(8100)],
            ])
            #expect(created.status == 202)
            let lb = try #require(created.json["load_balancer"] as? [String: Any])
            let id = try #require(lb["id"] as? String)
            let address = try #require(lb["ipv4"] as? String)

            #expect(await answers(address, 8100), "the new load balancer never listened")
            let added = try await t.call(.POST, "/v2/load-balancers/\(id)/forwarding-rules", body: rule(8101))
            #expect(added.status == 201)
            #expect(await answers(address, 8101), "the added forwarding rule never listened")

            let ruleID = try #require((added.json["forwarding_rule"] as? [String: Any])?["id"] as? String)
            #expect(try await t.call(.DELETE, "/v2/load-balancers/\(id)/forwarding-rules/\(ruleID)").status == 204)
            #expect(await refuses(address, 8101), "the removed forwarding rule kept listening")
            #expect(try await t.call(.DELETE, "/v2/load-balancers/\(id)").status == 204)
            #expect(await refuses(address, 8100), "the deleted load balancer kept listening")
        }
    }

    /// Whether the address answers within 10 s of tries.
    private func answers(_ host: String, _ port: Int) async -> Bool {
        for _ in 0..<200 {
            if (try? await exchange(host, port, "ping")) != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Whether the address stops answering within 10 s of tries.
    private func refuses(_ host: String, _ port: Int) async -> Bool {
        for _ in 0..<200 {
            if (try? await exchange(host, port, "late")) == nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// One connection: send `payload`, half-close, read everything until the peer closes.
    private func exchange(_ host: String, _ port: Int, _ payload: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(2))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: payload))
            outbound.finish()
            var answer = ""
            for try await chunk in inbound { answer += String(buffer: chunk) }
            guard !answer.isEmpty else { throw TestFailure("connection closed without an answer") }
            return answer
        }
    }
}

/// A TCP server answering every read with `name|data` and closing when the client has finished.
private struct EchoBackend {
    let channel: any Channel

    static func start(name: String, host: String, port: Int) async throws -> EchoBackend {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Echo(name: name))
                }
            }
            .bind(host: host, port: port).get()
        return EchoBackend(channel: channel)
    }

    func close() {
        channel.close(promise: nil)
    }

    private final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let name: String
        init(name: String) { self.name = name }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var reply = ByteBuffer(string: "\(name)|")
            var bytes = unwrapInboundIn(data)
            reply.writeBuffer(&bytes)
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
        }
    }
}
