/// A CSI protobuf message as a Swift value: build it with `init()` and property assignment,
/// encode it with `serializedBytes()`, decode it with `init(serializedBytes:)`.
///
/// Every message of package `csi.v1` conforms; the encoding is the protobuf binary wire format,
/// produced and parsed by protobuf-c.
public protocol CSIMessage: Sendable, Equatable {
    /// The message with every field at its proto3 default.
    init()
    /// Decodes the protobuf binary encoding. Unknown fields are skipped; malformed input and
    /// string fields that are not valid UTF-8 throw, naming the message type.
    init(serializedBytes bytes: [UInt8]) throws(CSIDecodingError)
    /// The protobuf binary encoding. Map entries are written in key order, so equal values
    /// encode to equal bytes.
    func serializedBytes() -> [UInt8]
}
