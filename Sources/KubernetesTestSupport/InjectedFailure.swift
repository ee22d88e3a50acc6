/// A canned error answer the stand-in server gives instead of handling a request.
public struct InjectedFailure: Sendable {
    public var status: Int
    public var reason: String
    public var retryAfterSeconds: Int?
    /// Only requests with this method (`GET`, `PUT`, …); `nil` for any.
    public var method: String?
    /// Only requests whose path contains this; `nil` for any.
    public var pathContains: String?
    /// Only watch requests (`?watch=true`), not lists or gets.
    public var onlyWatches: Bool
    /// How many matching requests get it.
    public var count: Int

    public init(
        status: Int, reason: String = "", retryAfterSeconds: Int? = nil, method: String? = nil,
        pathContains: String? = nil, onlyWatches: Bool = false, count: Int = 1
    ) {
        self.onlyWatches = onlyWatches
        self.status = status
        self.reason = reason
        self.retryAfterSeconds = retryAfterSeconds
        self.method = method
        self.pathContains = pathContains
        self.count = count
    }

    /// 429 with `Retry-After`, as API priority and fairness answers.
    public static func tooManyRequests(retryAfterSeconds: Int, count: Int = 1, method: String? = nil) -> Self {
        InjectedFailure(
            status: 429, reason: "TooManyRequests", retryAfterSeconds: retryAfterSeconds, method: method, count: count)
    }

    func matches(method: String, path: String, isWatch: Bool) -> Bool {
        (!onlyWatches || isWatch) && (self.method == nil || self.method == method) && (pathContains.map { path.contains($0) } ?? true)
    }
}
