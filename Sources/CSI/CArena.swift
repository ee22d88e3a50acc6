import CSIProtoC

/// Owns every C allocation made while encoding one message: the C message tree points into
/// memory allocated here, and all of it is released when the arena is.
///
/// protobuf-c only ever frees trees it unpacked itself, so encoding may use Swift's allocator.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for block in blocks { block.deallocate() }
    }

    /// Zeroed storage for `count` values of `T`.
    func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        let size = MemoryLayout<T>.stride * count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(size, 1), alignment: MemoryLayout<T>.alignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// A NUL-terminated copy. protobuf-c strings are C strings, so a Swift string holding
    /// U+0000 is cut at the first NUL.
    func string(_ value: String) -> UnsafeMutablePointer<CChar> {
        var value = value
        return value.withUTF8 { utf8 in
            let p = allocate(CChar.self, count: utf8.count + 1)
            UnsafeMutableRawPointer(p).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            return p
        }
    }

    func bytes(_ value: [UInt8]) -> ProtobufCBinaryData {
        let p = allocate(UInt8.self, count: value.count)
        p.update(from: value, count: value.count)
        return ProtobufCBinaryData(len: value.count, data: p)
    }

    /// An initialised C message holding `value`.
    func message<M: CProtoMessage>(_ value: M) -> UnsafeMutablePointer<M.CStruct> {
        let c = allocate(M.CStruct.self)
        M.cInit(c)
        value.fill(c, self)
        return c
    }

    /// A wrapper or other well-known-type message: initialised by `initialize`, then `set`.
    func wrapper<W>(
        _ type: W.Type, _ initialize: (UnsafeMutablePointer<W>?) -> Void,
        set: (UnsafeMutablePointer<W>) -> Void
    ) -> UnsafeMutablePointer<W> {
        let c = allocate(W.self)
        initialize(c)
        set(c)
        return c
    }

    /// A repeated message field: count and array of pointers (NULL when empty).
    func messages<M: CProtoMessage>(
        _ values: [M]
    ) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?) {
        array(values) { message($0) }
    }

    /// A repeated string field.
    func strings(_ values: [String]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        array(values) { string($0) }
    }

    /// A repeated field of any element type: count and array (NULL when empty).
    func array<T, C>(_ values: [T], _ convert: (T) -> C) -> (Int, UnsafeMutablePointer<C>?) {
        guard !values.isEmpty else { return (0, nil) }
        let p = allocate(C.self, count: values.count)
        for (i, value) in values.enumerated() {
            (p + i).initialize(to: convert(value))
        }
        return (values.count, p)
    }

    /// A map<string, string> field: its entry messages, in key order so encoding is stable.
    func map<E>(
        _ values: [String: String], _ initEntry: (UnsafeMutablePointer<E>?) -> Void,
        _ set: (UnsafeMutablePointer<E>, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>) -> Void
    ) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<E>?>?) {
        array(values.sorted { $0.key < $1.key }) { key, value in
            let entry = allocate(E.self)
            initEntry(entry)
            set(entry, string(key), string(value))
            return entry
        }
    }
}
