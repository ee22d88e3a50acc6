/// A list answer: the items under their plural key, plus pagination `meta`.
struct ListBody<Item: Encodable>: Encodable {
    var key: String
    var items: [Item]
    var meta: ListMeta

    init(key: String, items: [Item], total: Int, next: Int64?) {
        self.key = key
        self.items = items
        meta = ListMeta(total: total, links: .init(next: next.map(Pagination.encode) ?? "", prev: ""))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(items, forKey: DynamicKey(key))
        try container.encode(meta, forKey: DynamicKey("meta"))
    }
}
