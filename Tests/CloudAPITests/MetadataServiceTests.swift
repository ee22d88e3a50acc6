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
            #expect(metadata.publicIPv6 == instance.publicIPv6)
            #expect(metadata.publicIPv6?.isEmpty == false)
            // Every local instance sits in its region's VPC, as Vultr's `vpc: "true"` expects.
            let vpc = try #require(metadata.vpcID)
            let other = try await h.client.createInstance(InstanceCreateRequest(region: "ams", plan: "vc2-1c-1gb", label: "n2"))
            let elsewhere = try await h.client.createInstance(InstanceCreateRequest(region: "fra", plan: "vc2-1c-1gb", label: "n3"))
            let sameRegion = try await MetadataService(url: "\(h.server.baseURL)/v1.json?instance_id=\(other.id)").fetch()
            let otherRegion = try await MetadataService(url: "\(h.server.baseURL)/v1.json?instance_id=\(elsewhere.id)").fetch()
            #expect(sameRegion.vpcID == vpc)
            #expect(otherRegion.vpcID != nil && otherRegion.vpcID != vpc)

            let unknown = MetadataService(url: "\(h.server.baseURL)/v1.json?instance_id=nope", retry: .none)
            let error = await #expect(throws: CloudError.self) { try await unknown.fetch() }
            #expect(error?.code == .notFound)
        }
    }
}
