import CSI
import Foundation
import Testing

/// The generated RPC table must name exactly the methods Python protobuf sees in csi.proto.
@Suite struct MethodTests {
    @Test func everyMethodPathMatchesThePythonPeer() throws {
        let text = String(decoding: try Fixture.bytes("methods", extension: "txt"), as: UTF8.self)
        let expected = text.split(separator: "\n").map { String($0) }
        let ours = CSIService.Identity.paths + CSIService.Controller.paths + CSIService.GroupController.paths
            + CSIService.SnapshotMetadata.paths + CSIService.Node.paths
        let streaming = Set([CSIService.SnapshotMetadata.getMetadataAllocated.path,
                             CSIService.SnapshotMetadata.getMetadataDelta.path])
        let described = ours.map { "\($0) \(streaming.contains($0) ? "server-streaming" : "unary")" }
        #expect(Set(described) == Set(expected))
        #expect(described.count == expected.count)
    }

    @Test func methodsCarryTheirMessageTypes() throws {
        let method = CSIService.Node.nodeGetInfo
        #expect(method.path == "/csi.v1.Node/NodeGetInfo")
        #expect(!method.serverStreaming)
        #expect(CSIService.SnapshotMetadata.getMetadataDelta.serverStreaming)
        // The type parameters are the request and response: decode through them.
        let response = NodeGetInfoResponse(nodeId: "n1", maxVolumesPerNode: 3)
        #expect(try decodeResponse(of: method, response.serializedBytes()) == response)
    }

    private func decodeResponse<Request, Response>(
        of method: CSIMethod<Request, Response>, _ bytes: [UInt8]
    ) throws -> Response {
        try Response(serializedBytes: bytes)
    }
}
