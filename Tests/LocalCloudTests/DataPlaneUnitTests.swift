import NIOCore
import Testing

@testable import LocalCloud

/// The data plane's pure parts: target choice and health verdicts, firewall matching, PROXY
/// headers and the HTTP head sniffer.
@Suite struct DataPlaneUnitTests {
    private let a = BalancerSpec.Target(instanceID: "a", address: "127.2.0.1")
    private let b = BalancerSpec.Target(instanceID: "b", address: "127.2.0.2")
    private let check = BalancerSpec.HealthCheck(
        protocol: "tcp", port: 80, path: "", checkInterval: 1, responseTimeout: 1, unhealthyThreshold: 2, healthyThreshold: 3)

    @Test func roundRobinAlternatesAndSkipsUnhealthyTargets() {
        let pool = TargetPool()
        pool.setTargets([a, b], resetHealth: false)
        let picks = (0..<4).compactMap { _ in pool.acquire(.roundRobin)?.instanceID }
        #expect(picks == ["a", "b", "a", "b"])
        #expect(pool.record(a, success: false, check: check) == nil)  // 1 of 2 failures: still unknown
        #expect(pool.record(a, success: false, check: check) == .unhealthy)
        #expect(Set((0..<4).compactMap { _ in pool.acquire(.roundRobin)?.instanceID }) == ["b"])
        #expect(pool.record(b, success: false, check: check) == nil)
        #expect(pool.record(b, success: false, check: check) == .unhealthy)
        #expect(pool.acquire(.roundRobin) == nil)
    }

    @Test func unhealthyTargetNeedsHealthyThresholdSuccessesToReturn() {
        let pool = TargetPool()
        pool.setTargets([a], resetHealth: false)
        #expect(pool.record(a, success: true, check: check) == .healthy)  // unknown → healthy at once
        _ = pool.record(a, success: false, check: check)
        #expect(pool.record(a, success: false, check: check) == .unhealthy)
        #expect(pool.record(a, success: true, check: check) == nil)
        #expect(pool.record(a, success: true, check: check) == nil)
        #expect(pool.record(a, success: true, check: check) == .healthy)
        pool.setTargets([a, b], resetHealth: true)
        #expect(pool.snapshot().map(\.health) == [.unknown, .unknown])
    }

    @Test func leastConnectionsPrefersTheIdleTargetAndStickyWins() throws {
        let pool = TargetPool()
        pool.setTargets([a, b], resetHealth: false)
        let first = try #require(pool.acquire(.leastConnections))
        let other = first == a ? b : a
        #expect(pool.acquire(.leastConnections) == other)
        _ = pool.acquire(.leastConnections)  // 2 vs 1 now, whichever it was
        pool.release(other)
        pool.release(first)
        #expect(pool.acquire(.leastConnections, preferred: "b") == b)
        #expect(pool.acquire(.roundRobin, preferred: "ghost") != nil)
    }

    @Test func firewallFiltersOnlyPortsWithRules() {
        let policy = FirewallPolicy([(80, "v4", "10.0.0.0/8"), (80, "v4", "127.0.0.8/32"), (443, "v4", "cloudflare"), (8443, "v6", "::/0")])
        #expect(policy.admits("10.1.2.3", port: 80))
        #expect(policy.admits("127.0.0.8", port: 80))
        #expect(!policy.admits("127.0.0.9", port: 80))
        #expect(!policy.admits("10.1.2.3", port: 443))
        #expect(!policy.admits("10.1.2.3", port: 8443))
        #expect(!policy.admits(nil, port: 80))
        #expect(policy.admits("192.0.2.1", port: 22))
    }

    @Test func proxyProtocolHeaders() throws {
        let source = try SocketAddress(ipAddress: "127.0.0.7", port: 40000)
        let destination = try SocketAddress(ipAddress: "127.3.0.1", port: 80)
        let v1 = ProxyProtocolHeader.encode(version: 1, source: source, destination: destination)
        #expect(String(buffer: v1) == "PROXY TCP4 127.0.0.7 127.3.0.1 40000 80\r\n")
        let v2 = Array(ProxyProtocolHeader.encode(version: 2, source: source, destination: destination).readableBytesView)
        #expect(Array(v2[0..<12]) == ProxyProtocolHeader.signature)
        #expect(Array(v2[12...]) == [0x21, 0x11, 0, 12, 127, 0, 0, 7, 127, 3, 0, 1, 0x9C, 0x40, 0, 80])
        #expect(String(buffer: ProxyProtocolHeader.encode(version: 1, source: nil, destination: nil)) == "PROXY UNKNOWN\r\n")
    }

    @Test func requestHeadSniffing() throws {
        #expect(SniffedRequestHead.parse(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n")) == nil)
        let head = try #require(SniffedRequestHead.parse(ByteBuffer(string:
            "GET /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nCookie: a=1; lb=inst-1\r\n\r\nbody")))
        #expect(head.path == "/p?q=1" && head.host == "example.com:8080")
        #expect(head.cookies == ["a": "1", "lb": "inst-1"])
        #expect(head.redirectLocation(httpsPort: 443, fallbackHost: "127.3.0.1") == "https://example.com/p?q=1")
        #expect(head.redirectLocation(httpsPort: 8443, fallbackHost: "127.3.0.1") == "https://example.com:8443/p?q=1")
        let bare = try #require(SniffedRequestHead.parse(ByteBuffer(string: "GET / HTTP/1.0\r\n\r\n")))
        #expect(bare.redirectLocation(httpsPort: 443, fallbackHost: "127.3.0.1") == "https://127.3.0.1/")
    }
}
