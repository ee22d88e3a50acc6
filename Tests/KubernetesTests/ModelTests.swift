import Foundation
import Kubernetes
import Testing

@Suite struct ModelTests {
    @Test func unknownFieldsSurviveDecodeEditEncode() throws {
        let text = """
            {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","labels":{"a":"b"},"futureMeta":7},
             "spec":{"providerID":"","someoneElses":{"deep":[1,2.5,"x",null,true]}},
             "status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1","extra":"kept"}]},
             "topLevelExtra":{"k":"v"}}
            """
        var node = Node(json: try JSONCoding.decodeObject(Data(text.utf8)))
        node.spec.providerID = "vultr://abc"
        node.metadata.labels["zone"] = "ewr"
        var addresses = node.status.addresses
        addresses[0].address = "10.0.0.2"
        node.status.addresses = addresses
        let reencoded = try JSONCoding.decodeObject(try JSONCoding.encode(node.json))
        #expect(reencoded["topLevelExtra"] == ["k": "v"])
        #expect(reencoded["metadata"]?["futureMeta"] == 7)
        #expect(reencoded["spec"]?["someoneElses"]?["deep"] == [1, 2.5, "x", nil, true])
        #expect(reencoded["spec"]?["providerID"] == "vultr://abc")
        #expect(reencoded["status"]?["addresses"]?.arrayValue?.first?["extra"] == "kept")
        #expect(reencoded["status"]?["addresses"]?.arrayValue?.first?["address"] == "10.0.0.2")
        #expect(reencoded["metadata"]?["labels"] == ["a": "b", "zone": "ewr"])
    }

    @Test func readingAbsentSectionsAddsNothing() {
        var service = Service(json: ["metadata": ["name": "s"]])
        let spec = service.spec
        service.spec = spec
        service.metadata.finalizers = []
        #expect(service.json == ["metadata": ["name": "s"]])
    }

    @Test func integersStayIntegers() throws {
        let value = try JSONCoding.decode(Data(#"{"a":1,"b":1.5,"c":9007199254740993}"#.utf8))
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .double(1.5))
        #expect(value["c"] == .int(9_007_199_254_740_993))
    }

    @Test func mergePatchRoundTrip() {
        let old: JSONValue = ["a": 1, "b": ["c": 2, "d": 3], "e": [1, 2]]
        let new: JSONValue = ["a": 1, "b": ["c": 5], "e": [1], "f": "x"]
        let patch = JSONValue.mergePatch(from: old, to: new)
        #expect(patch == ["b": ["c": 5, "d": nil], "e": [1], "f": "x"])
        #expect(old.applyingMergePatch(patch!) == new)
        #expect(JSONValue.mergePatch(from: old, to: old) == nil)
    }

    @Test func timestamps() throws {
        let date = try #require(KubernetesTime.parse("2024-02-29T23:59:58.123456Z"))
        #expect(KubernetesTime.format(date, fractionalDigits: 6) == "2024-02-29T23:59:58.123456Z")
        #expect(KubernetesTime.format(date) == "2024-02-29T23:59:58Z")
        #expect(KubernetesTime.parse("2024-03-01T01:59:58+02:00") == KubernetesTime.parse("2024-02-29T23:59:58Z"))
        #expect(KubernetesTime.parse("yesterday") == nil)
    }

    @Test func paths() {
        #expect(Node.descriptor.path(namespace: "x", name: "n", subresource: "status") == "/api/v1/nodes/n/status")
        #expect(Service.descriptor.path(namespace: "kube-system") == "/api/v1/namespaces/kube-system/services")
        #expect(Service.descriptor.path(namespace: nil) == "/api/v1/services")
        #expect(
            Lease.descriptor.path(namespace: "kube-system", name: "ccm")
                == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/ccm")
    }
}
