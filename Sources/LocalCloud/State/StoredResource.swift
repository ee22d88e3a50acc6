/// A resource kept in the store as its JSON wire form.
protocol StoredResource: Codable, Sendable {
    /// Table-wide kind name, e.g. `block`.
    static var kind: String { get }
    /// What the API calls it in messages, e.g. `block storage`.
    static var noun: String { get }
    var id: String { get }
    /// Moves the resource out of its transient state (`pending` → `active`).
    mutating func becomeReady()
    /// The 404 for an unknown id, in the words Vultr's own clients match (vultr-csi tells a
    /// block from a VFS by them).
    static func notFound(_ id: String) -> APIFailure
}

extension StoredResource {
    mutating func becomeReady() {}

    static func notFound(_ id: String) -> APIFailure { APIFailure.notFound(noun, id) }
}
