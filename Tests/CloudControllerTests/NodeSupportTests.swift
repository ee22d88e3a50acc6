import CloudController
import Testing

/// The small shared pieces the controllers and the command line stand on.
@Suite struct GoDurationTests {
    @Test(arguments: [
        ("5m0s", Duration.seconds(300)), ("10s", .seconds(10)), ("1h30m", .seconds(5400)), ("500ms", .milliseconds(500)),
        ("1.5s", .milliseconds(1500)), ("0", .zero), ("2h", .seconds(7200)), ("250us", .microseconds(250)),
    ])
    func parsesGoSyntax(_ text: String, _ expected: Duration) {
        #expect(GoDuration(parsing: text)?.duration == expected)
    }

    @Test(arguments: ["", "5", "5 m", "-5s", "5x", "m", "1h-30m", ".s", "10S"])
    func refusesOtherText(_ text: String) {
        #expect(GoDuration(parsing: text) == nil)
    }

    @Test func printsLikeGo() {
        #expect(GoDuration(.seconds(300)).description == "5m0s")
        #expect(GoDuration(.seconds(10)).description == "10s")
        #expect(GoDuration(.seconds(5400)).description == "1h30m0s")
        #expect(GoDuration(.milliseconds(500)).description == "500ms")
        #expect(GoDuration(.milliseconds(1500)).description == "1.5s")
    }
}

@Suite struct ControllerSelectionTests {
    let known = ["cloud-node", "cloud-node-lifecycle", "route", "service"]

    @Test func starEnablesAllAndMinusDisables() throws {
        #expect(try ControllerSelection(parsing: ["*"], known: known).enabled == known)
        #expect(try ControllerSelection(parsing: ["*,-route"], known: known).enabled == ["cloud-node", "cloud-node-lifecycle", "service"])
        #expect(try ControllerSelection(parsing: ["route", "cloud-node"], known: known).enabled == ["cloud-node", "route"])
        #expect(try ControllerSelection(parsing: ["-route"], known: known).enabled == [])
    }

    @Test func unknownNamesAreErrorsNamingThemAndTheKnownOnes() {
        #expect {
            try ControllerSelection(parsing: ["*,-nodes,bogus"], known: known)
        } throws: { error in
            let text = "\(error)"
            return text.contains("\"-nodes\"") && text.contains("\"bogus\"") && text.contains("cloud-node-lifecycle")
        }
    }
}

@Suite struct IPNetworkTests {
    @Test func containment() throws {
        let cluster = try #require(IPNetwork(parsing: "10.244.0.0/16"))
        #expect(cluster.contains(try #require(IPNetwork(parsing: "10.244.3.0/24"))))
        #expect(!cluster.contains(try #require(IPNetwork(parsing: "10.245.0.0/24"))))
        #expect(!cluster.contains(try #require(IPNetwork(parsing: "10.0.0.0/8"))))
        #expect(!cluster.contains(try #require(IPNetwork(parsing: "fd00::/64"))))
        let v6 = try #require(IPNetwork(parsing: "fd00:10::/48"))
        #expect(v6.contains(try #require(IPNetwork(parsing: "fd00:10:0:5::/64"))))
        #expect(!v6.contains(try #require(IPNetwork(parsing: "fd00:11::/64"))))
    }

    @Test(arguments: ["", "10.0.0.0/33", "10.0.0/8", "fd00::/129", "host/24", "10.0.0.0/-1"])
    func refusesMalformed(_ text: String) {
        #expect(IPNetwork(parsing: text) == nil)
    }

    @Test func sameAddressIgnoresSpelling() {
        #expect(IPNetwork.sameAddress("fd00::1", "fd00:0:0::1"))
        #expect(!IPNetwork.sameAddress("10.0.0.1", "10.0.0.2"))
    }
}
