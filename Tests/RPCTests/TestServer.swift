@testable import RPC
import Testing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A server on a fresh socket in a temporary directory, with its client, torn down after use.
struct TestServer {
    let server: RPCServer
    let client: RPCClient
    let socketPath: String
    let directory: String

    static func start(configure: (inout RPCServer.Configuration) -> Void = { _ in },
                      register: (RPCServer) -> Void) throws -> TestServer {
        var template = Array("/tmp/mooring-rpc-XXXXXX".utf8CString)
        let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        let path = directory + "/csi.sock"
        var configuration = RPCServer.Configuration(endpoint: .unix(path: path))
        configure(&configuration)
        let server = RPCServer(configuration: configuration)
        register(server)
        try server.start()
        return TestServer(server: server, client: RPCClient(endpoint: .unix(path: path)), socketPath: path,
                          directory: directory)
    }

    func stop(grace: Duration = .seconds(5)) async {
        client.close()
        await server.shutdown(grace: grace)
        rmdir(directory)
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}

/// Counts events from handlers running on other threads.
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The status code a call ends with (nil when it succeeds).
func statusCode(_ call: () async throws -> [UInt8]) async -> StatusCode? {
    do {
        _ = try await call()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        Issue.record("expected an RPCError, got \(error)")
        return nil
    }
}
