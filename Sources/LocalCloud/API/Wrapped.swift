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
