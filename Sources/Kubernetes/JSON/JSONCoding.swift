import Foundation
// JSONValue, JSONObject and the parser live in the JSON module (shared with csi-node); every
// module importing Kubernetes sees them as before.
@_exported import JSON

/// The one place the Kubernetes client turns JSON bytes (`Data`) into `JSONValue` trees and back.
public enum JSONCoding {
    public static func decode(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { raw throws in try JSONParser.parse(raw) }
    }

    public static func decodeObject(_ data: Data) throws -> JSONObject {
        guard case .object(let object) = try decode(data) else {
            throw JSONError.expected("a JSON object")
        }
        return object
    }

    /// Compact JSON with sorted keys: stable output for the wire.
    public static func encode(_ value: JSONValue) throws -> Data {
        Data(JSONSerializer.serialize(value, sortedKeys: true))
    }

    /// Without sorted keys: cheaper, for storage rather than for the wire.
    public static func encodeCompact(_ value: JSONValue) throws -> Data {
        Data(JSONSerializer.serialize(value, sortedKeys: false))
    }

    public static func encode(_ object: JSONObject) throws -> Data {
        try encode(.object(object))
    }
}
