/// A value stored as a JSON object whose modelled fields are views onto that object.
///
/// Nothing is copied out on decode and nothing is rebuilt on encode: a field this module does not
/// model stays in `json` exactly as the server sent it, so writing an object back never drops data
/// that another client put there.
public protocol JSONBacked: JSONRepresentable, Hashable {
    /// The whole object, modelled and unmodelled fields alike.
    var json: JSONObject { get set }
    init(json: JSONObject)
}

/// A Swift value with a JSON form.
public protocol JSONRepresentable: Sendable {
    init?(jsonValue: JSONValue)
    var jsonValue: JSONValue { get }
}

extension JSONBacked {
    public init() { self.init(json: [:]) }

    public init?(jsonValue: JSONValue) {
        guard case .object(let object) = jsonValue else { return nil }
        self.init(json: object)
    }

    public var jsonValue: JSONValue { .object(json) }

    /// The member `key` converted to `T`; `nil` when absent or of another shape.
    public func value<T: JSONRepresentable>(_ key: String, as type: T.Type = T.self) -> T? {
        json[key].flatMap(T.init(jsonValue:))
    }

    /// Sets member `key`; `nil` removes it.
    public mutating func setValue<T: JSONRepresentable>(_ key: String, _ newValue: T?) {
        json[key] = newValue?.jsonValue
    }

    /// A nested object that reads as empty when absent and is only written when non-empty or
    /// already present, so reading and writing back an absent section leaves no `{}` behind.
    public func section<T: JSONBacked>(_ key: String, as type: T.Type = T.self) -> T {
        T(json: json[key]?.objectValue ?? [:])
    }

    public mutating func setSection<T: JSONBacked>(_ key: String, _ newValue: T) {
        if newValue.json.isEmpty && json[key] == nil { return }
        json[key] = .object(newValue.json)
    }
}

extension String: JSONRepresentable {
    public init?(jsonValue: JSONValue) {
        guard case .string(let value) = jsonValue else { return nil }
        self = value
    }
    public var jsonValue: JSONValue { .string(self) }
}

extension Int: JSONRepresentable {
    public init?(jsonValue: JSONValue) {
        guard let value = jsonValue.intValue else { return nil }
        self = value
    }
    public var jsonValue: JSONValue { .int(Int64(self)) }
}

extension Bool: JSONRepresentable {
    public init?(jsonValue: JSONValue) {
        guard case .bool(let value) = jsonValue else { return nil }
        self = value
    }
    public var jsonValue: JSONValue { .bool(self) }
}

extension Double: JSONRepresentable {
    public init?(jsonValue: JSONValue) {
        switch jsonValue {
        case .double(let value): self = value
        case .int(let value): self = Double(value)
        default: return nil
        }
    }
    public var jsonValue: JSONValue { .double(self) }
}

extension JSONValue: JSONRepresentable {
    public init?(jsonValue: JSONValue) { self = jsonValue }
    public var jsonValue: JSONValue { self }
}

extension Array: JSONRepresentable where Element: JSONRepresentable {
    public init?(jsonValue: JSONValue) {
        guard case .array(let values) = jsonValue else { return nil }
        self = values.compactMap(Element.init(jsonValue:))
    }
    public var jsonValue: JSONValue { .array(map(\.jsonValue)) }
}

extension Dictionary: JSONRepresentable where Key == String, Value: JSONRepresentable {
    public init?(jsonValue: JSONValue) {
        guard case .object(let object) = jsonValue else { return nil }
        self = object.compactMapValues(Value.init(jsonValue:))
    }
    public var jsonValue: JSONValue { .object(mapValues(\.jsonValue)) }
}
