/// A node's cloud identity as Kubernetes stores it in `spec.providerID`: `vultr://<instance id>`.
///
/// The cloud node controller writes it; every other controller reads the instance id back from
/// it, so this is the one place that knows the format.
public struct ProviderID: Hashable, Sendable, CustomStringConvertible {
    /// The scheme every provider ID this cloud writes carries.
    public static let scheme = "vultr"

    public let instanceID: String

    public init(instanceID: String) {
        self.instanceID = instanceID
    }

    /// Parses `vultr://<id>`; also accepts the `vultr:///<id>` form some tools write. Returns nil
    /// for another provider's ID, an empty id, or an id carrying a further `/`.
    public init?(parsing text: String) {
        let prefix = Self.scheme + "://"
        guard text.hasPrefix(prefix) else { return nil }
        var id = Substring(text.dropFirst(prefix.count))
        if id.hasPrefix("/") { id = id.dropFirst() }
        guard !id.isEmpty, !id.contains("/"), !id.contains(where: \.isWhitespace) else { return nil }
        instanceID = String(id)
    }

    public var description: String { "\(Self.scheme)://\(instanceID)" }
}
