import CSIProtoC

/// Copies values out of a C message tree unpacked by protobuf-c. The tree stays owned by the
/// caller, which frees it with `*__free_unpacked`.
enum CRead {
    /// A string field. protobuf-c does not check UTF-8; invalid UTF-8 is rejected here (as the
    /// proto3 reference implementations do) rather than silently repaired.
    static func string(
        _ p: UnsafePointer<CChar>?, field: String, of message: String
    ) throws(CSIDecodingError) -> String {
        guard let p else { return "" }
        guard let value = String(validatingCString: p) else {
            throw CSIDecodingError(invalidUTF8Field: field, of: message)
        }
        return value
    }

    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let p = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: p, count: data.len))
    }

    /// A repeated field of any element type.
    static func array<C, T>(
        _ p: UnsafePointer<C>?, count: Int, _ convert: (C) throws(CSIDecodingError) -> T
    ) throws(CSIDecodingError) -> [T] {
        guard count > 0, let p else { return [] }
        var out: [T] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            out.append(try convert(p[i]))
        }
        return out
    }

    static func strings(
        _ p: UnsafePointer<UnsafeMutablePointer<CChar>?>?, count: Int, field: String, of message: String
    ) throws(CSIDecodingError) -> [String] {
        try array(p, count: count) { (s) throws(CSIDecodingError) in
            try string(s, field: field, of: message)
        }
    }

    /// A message field (or oneof member): errors inside it get `field` prefixed to their path.
    static func message<M: CProtoMessage>(
        _ p: UnsafePointer<M.CStruct>, field: String
    ) throws(CSIDecodingError) -> M {
        do {
            return try M(c: p)
        } catch {
            throw error.within(field: field)
        }
    }

    static func messages<M: CProtoMessage>(
        _ p: UnsafePointer<UnsafeMutablePointer<M.CStruct>?>?, count: Int, field: String, of message: String
    ) throws(CSIDecodingError) -> [M] {
        try array(p, count: count) { (element) throws(CSIDecodingError) in
            guard let element else { throw CSIDecodingError(malformed: message) }
            return try self.message(element, field: field)
        }
    }

    /// A map<string, string> field. A key given twice keeps its last value, as proto3 says.
    static func map<E>(
        _ p: UnsafePointer<UnsafeMutablePointer<E>?>?, count: Int, field: String, of message: String,
        _ keyValue: (UnsafeMutablePointer<E>) -> (UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<CChar>?)
    ) throws(CSIDecodingError) -> [String: String] {
        var out: [String: String] = [:]
        guard count > 0, let p else { return out }
        for i in 0..<count {
            guard let entry = p[i] else { throw CSIDecodingError(malformed: message) }
            let (key, value) = keyValue(entry)
            out[try string(key, field: field, of: message)] = try string(value, field: field, of: message)
        }
        return out
    }
}
