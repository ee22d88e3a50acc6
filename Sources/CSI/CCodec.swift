import CSIProtoC

/// Encoding and decoding of any `CProtoMessage` through protobuf-c.
enum CCodec {
    /// Builds the C message tree in an arena, packs it and frees the tree.
    static func encode<M: CProtoMessage>(_ message: M) -> [UInt8] {
        let arena = CArena()
        return withExtendedLifetime(arena) {
            let c = arena.message(message)
            let size = M.cPackedSize(c)
            guard size > 0 else { return [] }
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = M.cPack(c, into: buffer.baseAddress!)
                precondition(count == size, "protobuf-c packed \(count) of \(size) bytes")
            }
        }
    }

    /// Unpacks with protobuf-c, copies the C tree into Swift values and frees the tree.
    static func decode<M: CProtoMessage>(_ bytes: [UInt8]) throws(CSIDecodingError) -> M {
        let nul = bytes.withUnsafeBufferPointer { WireStringCheck.fieldWithNUL(in: $0, descriptor: M.cDescriptor) }
        if let nul { throw CSIDecodingError(nulInField: nul, of: M.protoName) }
        let unpacked = bytes.withUnsafeBufferPointer { M.cUnpack($0) }
        guard let unpacked else { throw CSIDecodingError(malformed: M.protoName) }
        defer { M.cFreeUnpacked(unpacked) }
        do {
            return try M(c: unpacked)
        } catch {
            throw error.reported(as: M.protoName)
        }
    }
}
