import CloudAPI
import CSI
import CSIController
import Testing

/// Block storage attaches to instances only: publishing to a bare-metal node is refused with
/// FAILED_PRECONDITION and a message saying why (not NOT_FOUND, which would read as "no such node").
@Suite struct BareMetalPublishTests {
    @Test func publishingToABareMetalNodeIsAFailedPreconditionNamingIt() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("bm")).volume!
            let server = try await BareMetals(client: h.api).create(region: "ewr", plan: "vbm-4c-32gb", label: "metal")
            let status = await h.status(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: server.id))
            #expect(status.code == .failedPrecondition, "\(status)")
            #expect(status.message.contains("bare-metal") && status.message.contains(server.id))
            #expect(try await h.api.volume(id: volume.volumeId).attachedInstanceID == nil)
        }
    }
}
