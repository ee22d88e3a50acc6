import Foundation

/// The one place JSON bytes become `JSONValue` trees and back.
public enum JSONCoding {
    public static func decode(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    public static func decodeObject(_ data: Data) throws -> JSONObject {
        guard case .object(let object) = try decode(data) else {
            throw DecodingError.typeMismatch(
                JSONObject.self, .init(codingPath: [], debugDescription: "expected a JSON object"))
        }
        return object
    }

    public static func encode(_ value: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Without sorted keys: cheaper, for storage rather than for the wire.
    public static func encodeCompact(_ value: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func encode(_ object: JSONObject) throws -> Data {
        try encode(.object(object))
    }
}
