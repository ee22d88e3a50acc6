import AsyncHTTPClient
import Foundation
import LocalCloud
import Logging
import NIOCore
import NIOHTTP1

/// A local cloud started in-process on an ephemeral port with a temporary data directory, plus a
/// raw HTTP client to poke it with.
struct TestServer {
    static let key = "test-key-0123456789"
    let server: LocalCloudServer
    let dataDirectory: URL

    static func start(
        dataDirectory: URL? = nil, _ configure: (inout LocalCloudConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let dir = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("localcloud-test-\(UUID().uuidString)")
        var config = LocalCloudConfiguration(
            dataDirectory: dir, apiKey: key, rateLimit: 0, pendingDuration: .milliseconds(100))
        configure(&config)
        let server = try await LocalCloudServer.start(configuration: config, logger: Logger(label: "test"))
        return TestServer(server: server, dataDirectory: dir)
    }

    /// Runs `body` against a fresh server and always stops it (and removes its data) afterwards.
    static func with(
        _ configure: (inout LocalCloudConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> Void
    ) async throws {
        let t = try await start(configure)
        do {
            try await body(t)
        } catch {
            await t.stop()
            throw error
        }
        await t.stop()
    }

    func stop(removeData: Bool = true) async {
        await server.stop()
        if removeData { try? FileManager.default.removeItem(at: dataDirectory) }
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        /// The body as a JSON object (empty when it is none).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        /// `{"error": ..., "status": ...}` checked for shape; nil if the body is not that.
        var errorMessage: String? {
            guard let message = json["error"] as? String, json["status"] as? Int == status else { return nil }
            return message
        }
    }

    /// Sends one request; `body` is JSON-encoded unless it is already `Data` or a `String`.
    func call(_ method: HTTPMethod, _ path: String, body: Any? = nil, key: String? = TestServer.key) async throws -> Response {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            let data: Data =
                switch body {
                case let data as Data: data
                case let text as String: Data(text.utf8)
                default: try JSONSerialization.data(withJSONObject: body)
                }
            request.body = .bytes(ByteBuffer(bytes: data))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Response(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// Creates an instance and returns its id.
    func createInstance(region: String = "ewr") async throws -> String {
        let r = try await call(.POST, "/v2/instances", body: ["region": region, "plan": "vc2-1c-1gb", "label": "node"])
        guard r.status == 202, let id = (r.json["instance"] as? [String: Any])?["id"] as? String else {
            throw TestFailure("instance create answered \(r.status): \(String(decoding: r.body, as: UTF8.self))")
        }
        return id
    }

    /// Creates a block, waits for it to turn active and returns its id.
    func createActiveBlock(size: Int = 10) async throws -> String {
        let r = try await call(.POST, "/v2/blocks", body: ["region": "ewr", "size_gb": size, "label": "vol"])
        guard r.status == 202, let id = (r.json["block"] as? [String: Any])?["id"] as? String else {
            throw TestFailure("block create answered \(r.status)")
        }
        for _ in 0..<100 {
            let got = try await call(.GET, "/v2/blocks/\(id)")
            if (got.json["block"] as? [String: Any])?["status"] as? String == "active" { return id }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("block \(id) never turned active")
    }
}
