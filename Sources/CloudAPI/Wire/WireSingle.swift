/// `{"<singular key>": {...}}`.
struct WireSingle<Item: WireResource>: Decodable {
    var item: Item

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: WireKey.self)
        item = try container.decode(Item.self, forKey: WireKey(snake: Item.singularKey))
    }
}
