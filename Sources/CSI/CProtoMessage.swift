import CSIProtoC

/// A message backed by a protobuf-c struct: the glue the generated codecs
/// (Generated/CSICodecs.swift) provide for each message.
protocol CProtoMessage: CSIMessage {
    associatedtype CStruct
    /// Fully qualified proto name, for errors.
    static var protoName: String { get }
    /// The generated `*__init()`: writes the proto3 defaults and the descriptor pointer.
    static func cInit(_ c: UnsafeMutablePointer<CStruct>)
    static func cPackedSize(_ c: UnsafePointer<CStruct>) -> Int
    static func cPack(_ c: UnsafePointer<CStruct>, into out: UnsafeMutablePointer<UInt8>) -> Int
    /// nil when protobuf-c rejects the bytes.
    static func cUnpack(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CStruct>?
    static func cFreeUnpacked(_ c: UnsafeMutablePointer<CStruct>)

    /// Reads an unpacked C message (which stays owned by the caller).
    init(c: UnsafePointer<CStruct>) throws(CSIDecodingError)
    /// Writes this value into an initialised C message; every allocation comes from `arena`.
    func fill(_ c: UnsafeMutablePointer<CStruct>, _ arena: CArena)
}

// Nested messages have no typed protobuf-c pack/unpack functions (only top-level ones do), so
// they go through the generic entry points with the descriptor their `*__init()` installs.
extension CProtoMessage {
    static var cDescriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        let c = UnsafeMutablePointer<CStruct>.allocate(capacity: 1)
        defer { c.deallocate() }
        cInit(c)
        // ProtobufCMessage `base` is the first member of every generated struct.
        return UnsafeRawPointer(c).assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
    }

    static func cPackedSize(_ c: UnsafePointer<CStruct>) -> Int {
        protobuf_c_message_get_packed_size(cBase(c))
    }

    static func cPack(_ c: UnsafePointer<CStruct>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        protobuf_c_message_pack(cBase(c), out)
    }

    static func cUnpack(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CStruct>? {
        protobuf_c_message_unpack(cDescriptor, nil, bytes.count, bytes.baseAddress)
            .map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CStruct.self) }
    }

    static func cFreeUnpacked(_ c: UnsafeMutablePointer<CStruct>) {
        protobuf_c_message_free_unpacked(
            UnsafeMutableRawPointer(c).assumingMemoryBound(to: ProtobufCMessage.self), nil)
    }

    private static func cBase(_ c: UnsafePointer<CStruct>) -> UnsafePointer<ProtobufCMessage> {
        UnsafeRawPointer(c).assumingMemoryBound(to: ProtobufCMessage.self)
    }
}
