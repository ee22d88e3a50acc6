/// An error the API answers with: an HTTP status and a message for the `error` field.
struct APIFailure: Error, Sendable {
    enum Status: Int, Sendable {
        case badRequest = 400
        case unauthorized = 401
        case notFound = 404
        case methodNotAllowed = 405
        case conflict = 409
        case payloadTooLarge = 413
        case locked = 423
        case tooManyRequests = 429
        case internalError = 500
    }

    var status: Status
    var message: String
    var headers: [(String, String)] = []

    init(_ status: Status, _ message: String, headers: [(String, String)] = []) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    static func notFound(_ what: String, _ id: String) -> APIFailure {
        APIFailure(.notFound, "\(what) \(id) not found")
    }
}
