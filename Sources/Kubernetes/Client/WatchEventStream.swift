import AsyncHTTPClient
import Foundation
import NIOCore

/// The events of one watch response: newline-delimited JSON `{"type": …, "object": …}` frames.
/// An `ERROR` frame is thrown as a `KubernetesError` (410 → `.gone`).
public struct WatchEventStream<Resource: KubernetesResource>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Resource>
    let body: HTTPClientResponse.Body

    public func makeAsyncIterator() -> Iterator {
        Iterator(bytes: body.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        var bytes: HTTPClientResponse.Body.AsyncIterator
        var buffer: [UInt8] = []
        var finished = false

        public mutating func next() async throws -> WatchEvent<Resource>? {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Data(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                    return try Self.decode(line)
                }
                if finished {
                    guard !buffer.isEmpty else { return nil }
                    let line = Data(buffer)
                    buffer.removeAll()
                    return try Self.decode(line)
                }
                do {
                    if let chunk = try await bytes.next() {
                        buffer.append(contentsOf: chunk.readableBytesView)
                    } else {
                        finished = true
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // A dropped connection ends the stream; the caller re-watches from its last version.
                    finished = true
                    buffer.removeAll()
                }
            }
        }

        static func decode(_ line: Data) throws -> WatchEvent<Resource> {
            let frame: JSONObject
            do {
                frame = try JSONCoding.decodeObject(line)
            } catch {
                throw KubernetesError(code: .decoding, message: "malformed watch frame: \(error)", underlying: error)
            }
            let type = frame["type"]?.stringValue ?? ""
            let object = frame["object"]?.objectValue ?? [:]
            switch type {
            case "ADDED", "MODIFIED", "DELETED":
                var resource = Resource(json: object)
                resource.setTypeMeta()
                switch type {
                case "ADDED": return .added(resource)
                case "MODIFIED": return .modified(resource)
                default: return .deleted(resource)
                }
            case "BOOKMARK":
                let version = object["metadata"]?["resourceVersion"]?.stringValue ?? ""
                return .bookmark(resourceVersion: version)
            case "ERROR":
                let status = APIStatus(json: object)
                let code = status.code ?? 500
                throw KubernetesError(
                    code: KubernetesError.code(forHTTPStatus: code, reason: status.reason), httpStatus: code,
                    message: "watch: \(status.message ?? "error event")", status: status)
            default:
                throw KubernetesError(code: .decoding, message: "unknown watch event type \"\(type)\"")
            }
        }
    }
}
