/// `{"<plural key>": [...], "meta": {"total": N, "links": {"next": "...", "prev": "..."}}}`.
struct WirePage<Item: WireResource>: Decodable {
    struct Meta: Decodable {
        struct Links: Decodable {
            var next: String?
        }
        var total: Int?
        var links: Links?
    }
    var items: [Item]
    var meta: Meta?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: WireKey.self)
        items = try container.decode([Item].self, forKey: WireKey(snake: Item.pluralKey))
        meta = try container.decodeIfPresent(Meta.self, forKey: WireKey("meta"))
    }

    /// The cursor of the next page; nil when this is the last.
    var nextCursor: String? {
        guard let next = meta?.links?.next, !next.isEmpty else { return nil }
        return next
    }
}
