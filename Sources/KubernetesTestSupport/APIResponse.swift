import Foundation
import Kubernetes

/// A complete (non-streaming) answer.
struct APIResponse: Sendable {
    var status: Int
    var body: JSONValue
    var headers: [(String, String)] = []
    /// Sent as `text/plain` instead of `body` when set (health endpoints).
    var text: String?

    /// A `meta/v1.Status` failure, shaped like kube-apiserver's.
    static func failure(
        _ code: Int, reason: String, message: String, retryAfterSeconds: Int? = nil
    ) -> APIResponse {
        var status: JSONObject = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        var headers: [(String, String)] = []
        if let retryAfterSeconds {
            status["details"] = ["retryAfterSeconds": .int(Int64(retryAfterSeconds))]
            headers.append(("Retry-After", String(retryAfterSeconds)))
        }
        return APIResponse(status: code, body: .object(status), headers: headers)
    }

    static func notFound(_ path: APIPath) -> APIResponse {
        failure(404, reason: "NotFound", message: "\(path.resource) \"\(path.name ?? "")\" not found")
    }
}

/// What a watch connection receives.
enum WatchMessage: Sendable {
    /// One JSON line (`{"type":…,"object":…}`).
    case frame(JSONValue)
    /// Finish the chunked response cleanly (server-side timeout).
    case end
    /// Close the connection without finishing the response (a dropped stream).
    case drop
}

/// An open watch: its id in the store and the messages to write.
struct WatchSubscription: Sendable {
    var id: Int
    var messages: AsyncStream<WatchMessage>
    var bookmarks: Bool
    var timeout: Duration?
}

/// The outcome of routing a request.
enum APIResult: Sendable {
    case response(APIResponse)
    case watch(WatchSubscription)
}
