import CloudAPI
import CloudController
import Kubernetes
import Testing

@Suite struct NodeAddressesTests {
    let instance = Instance(
        id: "i-1", label: "n1", hostname: "n1", region: "ewr", plan: "vc2-1c-1gb", publicIPv4: "203.0.113.5",
        privateIPv4: "10.1.0.5", publicIPv6: "2001:db8::5", status: .active, power: .running)

    func node(providedIP: String? = nil) -> Node {
        var node = Node(name: "n1")
        if let providedIP { node.metadata.annotations = [Node.providedNodeIPAnnotation: providedIP] }
        return node
    }

    @Test func hostnameInternalExternalAndIPv6() throws {
        let addresses = try NodeAddresses.desired(for: instance, node: node())
        #expect(NodeAddresses.pairs(addresses) == [
            ["Hostname", "n1"], ["InternalIP", "10.1.0.5"], ["ExternalIP", "203.0.113.5"], ["ExternalIP", "2001:db8::5"],
        ])
    }

    @Test func withoutPrivateAddressTheMainOneIsInternalToo() throws {
        var bare = instance
        bare.privateIPv4 = nil
        bare.publicIPv6 = ""
        let addresses = try NodeAddresses.desired(for: bare, node: node())
        #expect(NodeAddresses.pairs(addresses) == [["Hostname", "n1"], ["InternalIP", "203.0.113.5"], ["ExternalIP", "203.0.113.5"]])
    }

    @Test func providedIPLeadsItsType() throws {
        let addresses = try NodeAddresses.desired(for: instance, node: node(providedIP: "2001:db8:0::5"))
        #expect(NodeAddresses.pairs(addresses) == [
            ["Hostname", "n1"], ["InternalIP", "10.1.0.5"], ["ExternalIP", "2001:db8::5"], ["ExternalIP", "203.0.113.5"],
        ])
    }

    @Test func dualStackProvidedIPsLeadTheirTypesInTheOrderGiven() throws {
        let addresses = try NodeAddresses.desired(for: instance, node: node(providedIP: "2001:db8::5,203.0.113.5"))
        #expect(NodeAddresses.pairs(addresses) == [
            ["Hostname", "n1"], ["InternalIP", "10.1.0.5"], ["ExternalIP", "2001:db8::5"], ["ExternalIP", "203.0.113.5"],
        ])
        let v4First = try NodeAddresses.desired(for: instance, node: node(providedIP: "10.1.0.5, 2001:db8::5"))
        #expect(NodeAddresses.pairs(v4First) == [
            ["Hostname", "n1"], ["InternalIP", "10.1.0.5"], ["ExternalIP", "2001:db8::5"], ["ExternalIP", "203.0.113.5"],
        ])
    }

    @Test(arguments: ["10.1.0.5,203.0.113.5", "10.1.0.5,2001:db8::9", "10.1.0.5,2001:db8::5,203.0.113.5", "10.1.0.5,"])
    func dualStackNeedsOneKnownAddressPerFamily(_ provided: String) {
        #expect(throws: CloudControllerError.self) {
            try NodeAddresses.desired(for: instance, node: node(providedIP: provided))
        }
    }

    @Test(arguments: ["10.9.9.9", "not-an-ip", "10.1.0.0/24"])
    func providedIPMustBeOneOfTheInstances(_ provided: String) {
        #expect(throws: CloudControllerError.self) {
            try NodeAddresses.desired(for: instance, node: node(providedIP: provided))
        }
    }
}
