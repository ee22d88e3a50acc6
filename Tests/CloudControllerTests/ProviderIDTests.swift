import Testing
import CloudController

@Suite struct ProviderIDTests {
    @Test func roundTripsTheVultrForm() {
        let id = ProviderID(parsing: "vultr://3c4b1c0e-1f2a")
        #expect(id?.instanceID == "3c4b1c0e-1f2a")
        #expect(id?.description == "vultr://3c4b1c0e-1f2a")
        #expect(ProviderID(instanceID: "abc").description == "vultr://abc")
    }

    @Test func acceptsTheTripleSlashForm() {
        #expect(ProviderID(parsing: "vultr:///abc")?.instanceID == "abc")
    }

    @Test(arguments: ["", "vultr://", "vultr:///", "aws:///us-east-1a/i-123", "vultr://a/b", "abc", "vultr://a b"])
    func refusesOtherForms(_ text: String) {
        #expect(ProviderID(parsing: text) == nil)
    }
}
