/// The `meta` object of a list response.
struct ListMeta: Encodable, Sendable {
    struct Links: Encodable, Sendable {
        var next: String
        var prev: String
    }
    var total: Int
    var links: Links
}
