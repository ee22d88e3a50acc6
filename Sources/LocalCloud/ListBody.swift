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

/// One resource under its singular key: `{"block": {...}}`.
struct Wrapped<Item: Encodable>: Encodable {
    var key: String
    var item: Item

    init(_ key: String, _ item: Item) {
        self.key = key
        self.item = item
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(item, forKey: DynamicKey(key))
    }
}

/// A coding key made at run time.
struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
