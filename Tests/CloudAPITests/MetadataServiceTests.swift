import CloudAPI
import Testing

@Suite struct MetadataServiceTests {
    @Test func readsTheInstanceFromTheLocalCloud() async throws {
        try await Harness.with { h in
            let instance = try await h.client.createInstance(InstanceCreateRequest(region: "ams", plan: "vc2-1c-1gb", label: "n1", hostname: "node-1"))
            let service = MetadataService(url: "\(h.server.baseURL)/v1.json?instance_id=\(instance.id)")
            let metadata = try await service.fetch()
            #expect(metadata.instanceID == instance.id)
            #expect(metadata.region == "ams")
            #expect(metadata.hostname == "node-1")
            #expect(metadata.publicIPv4 == instance.publicIPv4)
            #expect(metadata.privateIPv4 == instance.privateIPv4)

            let unknown = MetadataService(url: "\(h.server.baseURL)/v1.json?instance_id=nope", retry: .none)
            let error = await #expect(throws: CloudError.self) { try await unknown.fetch() }
            #expect(error?.code == .notFound)
        }
    }
}
