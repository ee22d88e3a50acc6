/// Instance lookups: what the cloud node and node lifecycle controllers need. Methods throw
/// ``CloudError``; a ``CloudError/Code/notFound`` means the instance is confirmed gone.
public protocol Instances: Sendable {
    func instance(id: String) async throws -> Instance
    /// Every instance, all pages.
    func instances() async throws -> [Instance]
}
