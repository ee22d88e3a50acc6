/// A resource as the API sends it, and the keys it is wrapped under.
protocol WireResource: Decodable, Sendable {
    /// Key of one resource: `{"block": {...}}`.
    static var singularKey: String { get }
    /// Key of a list: `{"blocks": [...], "meta": {...}}`.
    static var pluralKey: String { get }
}
