import Foundation
import Kubernetes
import NIOCore
import NIOHTTP1

/// The HTTP/1.1 side: connections, plain answers, and watches streamed as chunked JSON lines.
extension TestAPIServer {
    func acceptConnections() async {
        do {
            try await serverChannel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } catch {
            logger.debug("test apiserver stopped accepting", metadata: ["error": "\(error)"])
        }
    }

    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body.clear()
                    case .body(var chunk):
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let requestHead = head else { continue }
                        let keepOpen = try await respond(to: requestHead, body: Data(body.readableBytesView), outbound)
                        if !keepOpen { return }
                    }
                }
            }
        } catch {
            logger.trace("test apiserver connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Writes the answer; `false` when the connection must be closed (a dropped watch).
    func respond(
        to head: HTTPRequestHead, body: Data, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws -> Bool {
        switch route(head, body: body) {
        case .response(let response):
            var data: Data
            var headers = HTTPHeaders()
            if let text = response.text {
                data = Data(text.utf8)
                headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            } else {
                data = (try? JSONCoding.encode(response.body)) ?? Data()
                data.append(UInt8(ascii: "\n"))
                headers.add(name: "Content-Type", value: "application/json")
            }
            headers.add(name: "Content-Length", value: String(data.count))
            for (name, value) in response.headers { headers.add(name: name, value: value) }
            try await outbound.write(
                .head(HTTPResponseHead(version: head.version, status: .init(statusCode: response.status), headers: headers)))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data))))
            try await outbound.write(.end(nil))
            return true
        case .watch(let subscription):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers)))
            let bookmarkInterval = controls.withLock { $0.bookmarkInterval }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                if subscription.bookmarks, let bookmarkInterval {
                    group.addTask {
                        while true {
                            try await Task.sleep(for: bookmarkInterval)
                            self.store.bookmark(subscription.id)
                        }
                    }
                }
                if let timeout = subscription.timeout {
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        self.store.endWatches(subscription.id, with: .end)
                    }
                }
                defer { group.cancelAll() }
                for await message in subscription.messages {
                    switch message {
                    case .frame(let frame):
                        var data = try JSONCoding.encode(frame)
                        data.append(UInt8(ascii: "\n"))
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data))))
                    case .end:
                        try await outbound.write(.end(nil))
                        return true
                    case .drop:
                        return false
                    }
                }
                return false
            }
        }
    }
}
