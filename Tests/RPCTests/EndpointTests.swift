@testable import RPC
import Testing

@Suite struct EndpointTests {
    @Test(arguments: [
        ("unix:///csi/csi.sock", Endpoint.unix(path: "/csi/csi.sock")),
        ("unix:/csi/csi.sock", .unix(path: "/csi/csi.sock")),
        ("/var/lib/kubelet/plugins/x/csi.sock", .unix(path: "/var/lib/kubelet/plugins/x/csi.sock")),
        ("tcp://127.0.0.1:10000", .tcp(host: "127.0.0.1", port: 10000)),
        ("tcp://[::1]:9", .tcp(host: "[::1]", port: 9)),
    ])
    func parsesTheAcceptedSpellings(text: String, expected: Endpoint) throws {
        #expect(try Endpoint(parsing: text) == expected)
    }

    @Test(arguments: ["unix://relative.sock", "unix:", "csi.sock", "http://host:1", "tcp://host", "tcp://host:99999",
                      "tcp://:80", "unix:///" + String(repeating: "a", count: 120)])
    func refusesOthersWithInvalidArgument(text: String) throws {
        let error = try #require(throws: RPCError.self) { try Endpoint(parsing: text) }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains(text))
    }

    @Test func coreAddressIsWhatGRPCCoreExpects() throws {
        #expect(try Endpoint(parsing: "unix:///csi/csi.sock").coreAddress == "unix:/csi/csi.sock")
        #expect(try Endpoint(parsing: "tcp://localhost:5").coreAddress == "localhost:5")
    }

    @Test func statusCodesMatchTheWireNumbersAndNames() {
        #expect(StatusCode(wire: 5) == .notFound)
        #expect(StatusCode(wire: 99) == .unknown)
        #expect(StatusCode.failedPrecondition.description == "FAILED_PRECONDITION")
        #expect(StatusCode.allCases.count == 17)
        #expect(StatusCode.allCases.map(\.rawValue) == Array(0...16))
    }
}
