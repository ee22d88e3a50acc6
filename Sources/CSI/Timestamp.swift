/// `google.protobuf.Timestamp`: seconds and nanoseconds since the Unix epoch, UTC.
public struct Timestamp: Sendable, Hashable {
    public var seconds: Int64
    /// 0 ..< 1_000_000_000 for a valid timestamp; passed through as is.
    public var nanos: Int32

    public init(seconds: Int64 = 0, nanos: Int32 = 0) {
        self.seconds = seconds
        self.nanos = nanos
    }
}
