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
        var frames = WatchFrameSplitter()
        var finished = false

        public mutating func next() async throws -> WatchEvent<Resource>? {
            while true {
                if let frame = try frames.nextFrame() {
                    return try Self.decode(frame)
                }
                if finished {
                    return try frames.finish().map(Self.decode)
                }
                do {
                    if let chunk = try await bytes.next() {
                        frames.append(chunk.readableBytesView)
                    } else {
                        finished = true
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // A dropped connection ends the stream; the caller re-watches from its last
                    // version. A partial frame is dropped with it.
                    finished = true
                    frames = WatchFrameSplitter()
                }
            }
        }

        /// One frame → one event; an `ERROR` frame or a malformed one throws.
        @_spi(Fuzzing) public static func decode(_ line: Data) throws -> WatchEvent<Resource> {
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
