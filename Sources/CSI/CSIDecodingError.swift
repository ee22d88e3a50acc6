/// Bytes that do not decode as the expected CSI message.
public struct CSIDecodingError: Error, Equatable, CustomStringConvertible {
    private enum Code: Equatable {
        case malformed
        case invalidUTF8(field: String)
        case nul(field: String)
    }

    private let code: Code
    /// The fully qualified proto name of the message being decoded, e.g. `csi.v1.Volume`.
    public private(set) var messageName: String

    init(malformed messageName: String) {
        self.code = .malformed
        self.messageName = messageName
    }

    init(invalidUTF8Field field: String, of messageName: String) {
        self.code = .invalidUTF8(field: field)
        self.messageName = messageName
    }

    init(nulInField field: String, of messageName: String) {
        self.code = .nul(field: field)
        self.messageName = messageName
    }

    /// The same problem, seen from a message that holds the failing one in field `field`.
    func within(field: String) -> CSIDecodingError {
        guard case .invalidUTF8(let path) = code else { return self }
        return CSIDecodingError(invalidUTF8Field: "\(field).\(path)", of: messageName)
    }

    /// The same problem, reported against the message the caller asked to decode.
    func reported(as messageName: String) -> CSIDecodingError {
        var error = self
        error.messageName = messageName
        return error
    }

    /// True when protobuf-c rejected the bytes (truncated, wrong wire type, bad length, …).
    public var isMalformed: Bool { code == .malformed }

    /// The string field whose bytes were not valid UTF-8, if that was the problem, as a dotted
    /// path of proto field names from `messageName` (e.g. `accessibility_requirements.requisite.segments`).
    /// The string field holding a NUL byte, if that was the problem (dotted path, as above).
    public var nulField: String? {
        if case .nul(let field) = code { return field }
        return nil
    }

    public var invalidUTF8Field: String? {
        if case .invalidUTF8(let field) = code { return field }
        return nil
    }

    public var description: String {
        switch code {
        case .malformed:
            "malformed protobuf encoding of \(messageName)"
        case .invalidUTF8(let field):
            "string field \(field) of \(messageName) is not valid UTF-8"
        case .nul(let field):
            "string field \(field) of \(messageName) contains a NUL byte"
        }
    }
}
