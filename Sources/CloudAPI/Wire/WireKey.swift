/// A coding key chosen at run time.
struct WireKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    /// The key for a snake_case wire name as the decoder sees it: the decoder converts keys
    /// from snake_case before matching, so `load_balancer` must be looked up as `loadBalancer`.
    init(snake: String) {
        let parts = snake.split(separator: "_")
        stringValue = (parts.first.map(String.init) ?? "") + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
