/// A resource kept in the store as its JSON wire form.
protocol StoredResource: Codable, Sendable {
    /// Table-wide kind name, e.g. `block`.
    static var kind: String { get }
    /// What the API calls it in messages, e.g. `block storage`.
    static var noun: String { get }
    var id: String { get }
    /// Moves the resource out of its transient state (`pending` → `active`).
    mutating func becomeReady()
}

extension StoredResource {
    mutating func becomeReady() {}
}
