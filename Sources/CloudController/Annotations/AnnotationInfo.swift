/// What the reference documentation says about one annotation, independent of its value type.
public struct AnnotationInfo: Sendable, Hashable {
    /// Mooring's own key.
    public let key: String
    /// Vultr's key for the same setting, accepted as an alias; nil when Vultr has none.
    public let vultrKey: String?
    /// The value's type as users write it, e.g. `bool`, `integer 1–65535`, `comma-separated ports`.
    public let type: String
    /// The default, as users would read it (`false`, `15`, `derived: …`).
    public let defaultDescription: String
    public let summary: String
    /// Written by the controller, not by users.
    public let isManaged: Bool
}
