import CSIProtoC

/// Finds string fields holding a NUL byte, by walking the wire bytes with the message's
/// protobuf-c descriptor before protobuf-c unpacks them.
///
/// Why: protobuf-c keeps a string as a NUL-terminated `char *` and drops its length, so
/// `"/var/lib/kubelet/x\0/../../etc"` would reach Swift as `"/var/lib/kubelet/x"` — a different,
/// valid-looking path. Proto3 allows NUL in strings, but nothing in CSI can mean one, so such a
/// message is refused instead of silently shortened.
enum WireStringCheck {
    /// The dotted field path of the first string field with a NUL byte, or nil. Malformed bytes
    /// return nil: protobuf-c rejects them right after with its own, clearer error.
    static func fieldWithNUL(
        in bytes: UnsafeBufferPointer<UInt8>, descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    ) -> String? {
        var reader = Reader(bytes: bytes)
        return scan(&reader, end: bytes.count, descriptor: descriptor, depth: 0)
    }

    /// protobuf-c refuses deeper nesting anyway; a bound keeps hostile input off the stack.
    private static let maximumDepth = 64

    private static func scan(
        _ reader: inout Reader, end: Int, descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int
    ) -> String? {
        guard depth < maximumDepth else { return nil }
        while reader.offset < end {
            guard let key = reader.varint(end: end), let number = UInt32(exactly: key >> 3), number > 0 else { return nil }
            switch key & 7 {
            case 0:
                guard reader.varint(end: end) != nil else { return nil }
            case 1:
                guard reader.skip(8, end: end) else { return nil }
            case 5:
                guard reader.skip(4, end: end) else { return nil }
            case 2:
                guard let length = reader.varint(end: end), length <= UInt64(end - reader.offset) else { return nil }
                let start = reader.offset
                let stop = start + Int(length)
                if let field = protobuf_c_message_descriptor_get_field(descriptor, number) {
                    let name = String(cString: field.pointee.name)
                    switch field.pointee.type {
                    case PROTOBUF_C_TYPE_STRING:
                        if reader.bytes[start..<stop].contains(0) { return name }
                    case PROTOBUF_C_TYPE_MESSAGE:
                        if let nested = field.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self),
                            let inner = scan(&reader, end: stop, descriptor: nested, depth: depth + 1)
                        {
                            return "\(name).\(inner)"
                        }
                    default:
                        break
                    }
                }
                reader.offset = stop
            default:
                return nil  // groups and invalid wire types: protobuf-c's to refuse
            }
        }
        return nil
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0

        /// A varint ending before `end` (the end of the enclosing message); never reads past it,
        /// so `offset <= end` holds after every read.
        mutating func varint(end: Int) -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while offset < end, shift < 64 {
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }

        mutating func skip(_ count: Int, end: Int) -> Bool {
            guard end - offset >= count else { return false }
            offset += count
            return true
        }
    }
}
