import Foundation

/// Cuts a watch response's bytes into its newline-delimited JSON frames, whatever the chunk
/// boundaries. Blank lines (the API server sends none, proxies sometimes do) are skipped. A frame
/// longer than ``maximumFrameBytes`` is an error rather than unbounded memory.
@_spi(Fuzzing) public struct WatchFrameSplitter: Sendable {
    /// Larger than any object the API server accepts (etcd's request limit is 1.5 MiB; a watch
    /// frame wraps one object), so only a broken or hostile peer reaches it.
    public static let maximumFrameBytes = 16 << 20

    private var buffer: [UInt8] = []
    /// Where the next frame starts in `buffer` (consumed bytes are dropped lazily).
    private var start = 0
    /// How far `buffer` has been searched for a newline.
    private var scanned = 0

    public init() {}

    /// Adds the next chunk of the response body.
    public mutating func append(_ chunk: some Sequence<UInt8>) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeSubrange(..<start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next complete frame, or nil until more bytes arrive.
    public mutating func nextFrame() throws(KubernetesError) -> Data? {
        while let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[start..<newline]
            start = newline + 1
            scanned = start
            if !Self.isBlank(line) { return Data(line) }
        }
        scanned = buffer.count
        guard buffer.count - start <= Self.maximumFrameBytes else {
            throw KubernetesError(
                code: .decoding, message: "watch frame longer than \(Self.maximumFrameBytes) bytes without a newline")
        }
        return nil
    }

    /// At the end of the body: the last frame when it had no trailing newline.
    public mutating func finish() -> Data? {
        let rest = buffer[start...]
        buffer.removeAll()
        start = 0
        scanned = 0
        return Self.isBlank(rest) ? nil : Data(rest)
    }

    private static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }
    }
}
