/// A request the stand-in server received, for tests to inspect.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var authorization: String?
    public var contentType: String?

    public var isWatch: Bool { query["watch"] == "true" || query["watch"] == "1" }
}
