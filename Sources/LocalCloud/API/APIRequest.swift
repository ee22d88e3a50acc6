import Foundation

/// One HTTP request as the API handler sees it: already read in full.
struct APIRequest: Sendable {
    var method: String
    /// Path without the query, split on `/` with empty parts dropped.
    var pathComponents: [String]
    var query: [String: String]
    var headers: [(String, String)]
    var body: Data
    /// The peer's IP address, used by the metadata document and the rate limit.
    var sourceAddress: String

    init(method: String, uri: String, headers: [(String, String)], body: Data, sourceAddress: String) {
        self.method = method
        self.headers = headers
        self.body = body
        self.sourceAddress = sourceAddress
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? "/"
        pathComponents = path.split(separator: "/").map {
            String($0).removingPercentEncoding ?? String($0)
        }
        var query: [String: String] = [:]
        if parts.count == 2 {
            for item in parts[1].split(separator: "&") {
                let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let raw = kv.count == 2 ? String(kv[1]).replacingOccurrences(of: "+", with: " ") : ""
                query[key] = raw.removingPercentEncoding ?? raw
            }
        }
        self.query = query
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Decodes the JSON body into `T`, or fails with 400 and the decoder's reason.
    func decode<T: Decodable>(_ type: T.Type) throws(APIFailure) -> T {
        guard !body.isEmpty else { throw APIFailure(.badRequest, "request body must be a JSON object") }
        do {
            return try WireCoding.decoder.decode(T.self, from: body)
        } catch let error as DecodingError {
            throw APIFailure(.badRequest, "invalid request body: \(WireCoding.describe(error))")
        } catch {
            throw APIFailure(.badRequest, "invalid request body: not valid JSON")
        }
    }
}
