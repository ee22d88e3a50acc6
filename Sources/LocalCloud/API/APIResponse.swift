import Foundation

/// One HTTP response from the API handler.
struct APIResponse: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: Data = Data()

    static func json<T: Encodable>(_ value: T) -> APIResponse {
        json(200, value)
    }

    static func json<T: Encodable>(_ status: Int, _ value: T) -> APIResponse {
        do {
            let body = try WireCoding.encoder.encode(value)
            return APIResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
        } catch {
            return .failure(APIFailure(.internalError, "could not encode response: \(error)"))
        }
    }

    static func noContent() -> APIResponse { APIResponse(status: 204) }

    /// The Vultr error shape: `{"error": "...", "status": N}`.
    static func failure(_ failure: APIFailure) -> APIResponse {
        var response = json(failure.status.rawValue, ErrorBody(error: failure.message, status: failure.status.rawValue))
        response.status = failure.status.rawValue
        response.headers.append(contentsOf: failure.headers)
        return response
    }

    private struct ErrorBody: Encodable {
        var error: String
        var status: Int
    }
}
