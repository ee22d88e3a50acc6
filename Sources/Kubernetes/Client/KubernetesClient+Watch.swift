import AsyncHTTPClient
import Foundation
import NIOCore

extension KubernetesClient {
    /// Opens a watch from `options.resourceVersion` with bookmarks enabled. The stream ends when
    /// the server closes it (time to re-watch from the last resourceVersion seen) and throws
    /// `.gone` when the resourceVersion is too old (time to relist).
    public func watch<R: KubernetesResource>(
        _ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> WatchEventStream<R> {
        var query = options.queryItems
        query.append(("watch", "true"))
        query.append(("allowWatchBookmarks", "true"))
        let path = path(R.self, namespace: namespace)
        try await rateLimiter.acquire()
        let request = makeRequest(.GET, path: path, query: query, body: nil, contentType: "")
        let response: HTTPClientResponse
        do {
            // The server's timeoutSeconds ends the watch; this deadline only guards against a hung peer.
            let serverTimeout = options.timeoutSeconds ?? 1800
            response = try await httpClient.execute(request, timeout: .seconds(Int64(serverTimeout) + 60), logger: logger)
        } catch {
            throw KubernetesError(code: .transport, message: "watch \(path): \(error)", underlying: error)
        }
        let status = Int(response.status.code)
        guard status == 200 else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            if status == 401 { tokenSource?.invalidate() }
            throw Self.error(status: status, headers: response.headers, body: body, context: "watch \(path)")
        }
        return WatchEventStream(body: response.body)
    }
}
