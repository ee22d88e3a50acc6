import Foundation

/// Cursor pagination as the API does it: `per_page` (1...500, default 100) and an opaque
/// `cursor`; responses carry `meta.total` and `meta.links.next`/`prev`.
struct Pagination: Sendable {
    static let maximumPerPage = 500
    static let defaultPerPage = 100

    var perPage: Int
    /// Sequence number after which the page starts; nil for the first page.
    var after: Int64?

    init(query: [String: String]) throws(APIFailure) {
        if let raw = query["per_page"], !raw.isEmpty {
            guard let value = Int(raw), (1...Self.maximumPerPage).contains(value) else {
                throw APIFailure(.badRequest, "per_page must be an integer between 1 and \(Self.maximumPerPage)")
            }
            perPage = value
        } else {
            perPage = Self.defaultPerPage
        }
        if let cursor = query["cursor"], !cursor.isEmpty {
            guard let seq = Self.decode(cursor) else { throw APIFailure(.badRequest, "invalid cursor") }
            after = seq
        }
    }

    static func encode(_ seq: Int64) -> String {
        Data("next__\(seq)".utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) -> Int64? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("next__"), let seq = Int64(text.dropFirst(6)), seq >= 0
        else { return nil }
        return seq
    }
}
