import Foundation
import Synchronization
import CSIDriver
@testable import CSINode
@testable import SystemIO
import Testing

@Suite struct InstanceMetadataReaderTests {
    @Test func readsTheV2IdAndRegionCode() throws {
        let doc = #"{"hostname":"n1","instanceid":"legacy-1","instance-v2-id":"a1b2-c3","region":{"regioncode":"EWR"},"interfaces":[]}"#
        let identity = try InstanceMetadataReader.identity(fromDocument: Array(doc.utf8), url: "u")
        #expect(identity == .init(instanceID: "a1b2-c3", region: "ewr"))
    }

    @Test func fallsBackToTheLegacyIdAndRefusesDocumentsWithoutARegion() throws {
        let legacy = #"{"instanceid":"legacy-1","region":{"regioncode":"ams"}}"#
        #expect(try InstanceMetadataReader.identity(fromDocument: Array(legacy.utf8), url: "u").instanceID == "legacy-1")
        #expect(throws: PlainHTTPGet.Failure.self) {
            try InstanceMetadataReader.identity(fromDocument: Array(#"{"instance-v2-id":"x"}"#.utf8), url: "u")
        }
        #expect(throws: PlainHTTPGet.Failure.self) {
            try InstanceMetadataReader.identity(fromDocument: Array("<html>".utf8), url: "u")
        }
    }

    @Test func parsesURLsAndHTTPResponses() throws {
        let get = try PlainHTTPGet(url: "http://127.0.0.1:8090/v1.json?instance_id=abc")
        #expect(get.host == "127.0.0.1" && get.port == "8090" && get.target == "/v1.json?instance_id=abc")
        #expect(try PlainHTTPGet(url: "http://169.254.169.254/v1.json").port == "80")
        #expect(try PlainHTTPGet(url: "http://[::1]:9/x").host == "::1")
        #expect(throws: PlainHTTPGet.Failure.self) { try PlainHTTPGet(url: "https://169.254.169.254/v1.json") }
        #expect(throws: PlainHTTPGet.Failure.self) { try PlainHTTPGet(url: "http://:80/x") }

        let plain = try get.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".utf8))
        #expect(plain.status == 200 && plain.body == Array("{}".utf8))
        let chunked = try get.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n".utf8))
        #expect(chunked.body == Array("{\"a\":1}".utf8))
        #expect(throws: PlainHTTPGet.Failure.self) { try get.parse(Array("garbage".utf8)) }
    }

    @Test func anUnreachableServiceFailsAfterItsAttempts() async throws {
        var reader = InstanceMetadataReader(url: "http://127.0.0.1:1/v1.json")
        reader.attempts = 2
        reader.firstBackoff = .milliseconds(10)
        await #expect(throws: PlainHTTPGet.Failure.self) { try await reader.fetch() }
    }
}

/// A loopback HTTP server answering each connection with the next canned response, then closing.
final class CannedHTTPServer: Sendable {
    final class Count: Sendable {
        let value = Mutex(0)
    }

    let port: Int
    private let fd: Int32
    private let served = Count()

    init(responses: [String]) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else {
            close(listener)
            throw PlainHTTPGet.Failure(url: "", reason: "test server cannot listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        fd = listener
        let served = self.served
        Thread.detachNewThread {
            for response in responses {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = recv(client, &buffer, buffer.count, 0)
                let bytes = Array(response.utf8)
                _ = send(client, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                close(client)
                served.value.withLock { $0 += 1 }
            }
        }
    }

    var connections: Int { served.value.withLock { $0 } }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

@Suite struct InstanceMetadataRetryTests {
    static func answer(_ status: String, _ body: String = "") -> String {
        "HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    @Test func serverErrorsAreRetriedUntilTheDocumentArrives() async throws {
        let document = #"{"instance-v2-id":"i-1","region":{"regioncode":"FRA"}}"#
        let server = try CannedHTTPServer(responses: [Self.answer("503 Service Unavailable"),
                                                       Self.answer("500 Internal Server Error"),
                                                       Self.answer("200 OK", document)])
        var reader = InstanceMetadataReader(url: "http://127.0.0.1:\(server.port)/v1.json")
        reader.firstBackoff = .milliseconds(10)
        #expect(try await reader.fetch() == .init(instanceID: "i-1", region: "fra"))
        #expect(server.connections == 3)
    }

    @Test func otherAnswersAreFinalAtOnce() async throws {
        let server = try CannedHTTPServer(responses: [Self.answer("404 Not Found"), Self.answer("200 OK", "{}")])
        var reader = InstanceMetadataReader(url: "http://127.0.0.1:\(server.port)/v1.json")
        reader.firstBackoff = .milliseconds(10)
        let error = await #expect(throws: PlainHTTPGet.Failure.self) { try await reader.fetch() }
        #expect(error?.reason.contains("404") == true)
        #expect(server.connections == 1)
    }
}
