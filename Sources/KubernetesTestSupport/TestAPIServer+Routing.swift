import Foundation
import Kubernetes
import NIOHTTP1

/// From a request to an answer: recording, authentication, injected failures, discovery, then the
/// store's verbs.
extension TestAPIServer {
    func route(_ head: HTTPRequestHead, body: Data) -> APIResult {
        let (path, query) = Self.split(head.uri)
        let method = head.method.rawValue
        let authorization = head.headers.first(name: "Authorization")
        let contentType = head.headers.first(name: "Content-Type")
        let injected: InjectedFailure? = controls.withLock { controls in
            controls.requests.append(
                RecordedRequest(
                    method: method, path: path, query: query, authorization: authorization, contentType: contentType))
            if let token = controls.requiredToken, authorization != "Bearer \(token)" {
                return InjectedFailure(status: 401, reason: "Unauthorized")
            }
            let isWatch = query["watch"] == "true" || query["watch"] == "1"
            guard
                let index = controls.failures.firstIndex(where: {
                    $0.matches(method: method, path: path, isWatch: isWatch)
                })
            else {
                return nil
            }
            let failure = controls.failures[index]
            controls.failures[index].count -= 1
            if controls.failures[index].count <= 0 { controls.failures.remove(at: index) }
            return failure
        }
        if let injected {
            return .response(
                .failure(
                    injected.status, reason: injected.reason, message: "injected failure",
                    retryAfterSeconds: injected.retryAfterSeconds))
        }
        if head.method == .GET, let answer = Discovery.answer(path: path) {
            return .response(answer)
        }
        guard let apiPath = APIPath(path) else {
            return .response(.failure(404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        // JSON only: typed clients that prefer protobuf (kubectl's `create` generators) are told so,
        // as kube-apiserver tells a client whose media type it does not serve.
        if [.POST, .PUT, .PATCH].contains(head.method), let contentType,
            contentType.contains("protobuf") || contentType.contains("cbor")
        {
            return .response(
                .failure(
                    415, reason: "UnsupportedMediaType",
                    message: "the body of the request was in an unknown format - accepted media types include: "
                        + "application/json, application/merge-patch+json, application/strategic-merge-patch+json"))
        }
        func bodyObject() -> JSONObject? {
            body.isEmpty ? [:] : try? JSONCoding.decodeObject(body)
        }
        switch (head.method, apiPath.name) {
        case (.GET, nil):
            if query["watch"] == "true" || query["watch"] == "1" { return store.watch(apiPath, query: query) }
            return .response(store.list(apiPath, query: query))
        case (.GET, .some):
            return .response(store.get(apiPath))
        case (.POST, nil):
            guard let object = bodyObject() else { return .response(Self.malformed) }
            return .response(store.create(apiPath, body: object))
        case (.PUT, .some):
            guard let object = bodyObject() else { return .response(Self.malformed) }
            return .response(store.update(apiPath, body: object))
        case (.PATCH, .some):
            guard let patch = try? JSONCoding.decode(body) else { return .response(Self.malformed) }
            return .response(store.patch(apiPath, contentType: contentType ?? "", patch: patch))
        case (.DELETE, .some):
            return .response(store.delete(apiPath, options: bodyObject() ?? [:]))
        default:
            return .response(.failure(405, reason: "MethodNotAllowed", message: "method not allowed"))
        }
    }

    static let malformed = APIResponse.failure(400, reason: "BadRequest", message: "malformed JSON body")

    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            query[key] = value
        }
        return (String(uri[..<mark]), query)
    }
}
