import Foundation

/// One Service annotation, declared once: its keys (Mooring's own and Vultr's alias), its typed
/// parser and its default. ``value(in:)`` reads it from a Service's annotations.
public struct Annotation<Value: Sendable>: Sendable {
    public let info: AnnotationInfo
    public let defaultValue: Value
    private let parser: @Sendable (String) -> Result<Value, ParseFailure>

    /// Why a raw value was refused (the key is added by ``value(in:)``).
    public struct ParseFailure: Error, Sendable {
        public let message: String
        public init(_ message: String) { self.message = message }
    }

    public init(
        _ suffix: String, vultr: Bool = true, type: String, default defaultValue: Value, defaultDescription: String,
        managed: Bool = false, summary: String, parse: @escaping @Sendable (String) -> Result<Value, ParseFailure>
    ) {
        info = AnnotationInfo(
            key: Annotation.mooringPrefix + suffix, vultrKey: vultr ? Annotation.vultrPrefix + suffix : nil, type: type,
            defaultDescription: defaultDescription, summary: summary, isManaged: managed)
        self.defaultValue = defaultValue
        self.parser = parse
    }

    /// The value set on a Service (under either key), or the default when neither is set.
    /// Both keys set to different values is an error naming both.
    public func value(in annotations: [String: String]) throws(AnnotationError) -> Value {
        try explicitValue(in: annotations) ?? defaultValue
    }

    /// The value when one of the keys is set, nil when neither is.
    public func explicitValue(in annotations: [String: String]) throws(AnnotationError) -> Value? {
        let own = annotations[info.key]
        let vultr = info.vultrKey.flatMap { annotations[$0] }
        if let own, let vultr, own != vultr, let vultrKey = info.vultrKey {
            throw AnnotationError(key: info.key, message: "disagrees with \(vultrKey); set one of them")
        }
        guard let raw = own ?? vultr else { return nil }
        let key = own != nil ? info.key : (info.vultrKey ?? info.key)
        switch parser(raw.trimmingCharacters(in: .whitespaces)) {
        case .success(let value): return value
        case .failure(let failure): throw AnnotationError(key: key, message: failure.message)
        }
    }

    /// The key to name in messages: the one set, or, when neither is, the family (Vultr's or
    /// Mooring's) the Service's other annotations use.
    public func keyUsed(in annotations: [String: String]) -> String {
        guard let vultrKey = info.vultrKey, annotations[info.key] == nil else { return info.key }
        if annotations[vultrKey] != nil { return vultrKey }
        let writesVultr = annotations.keys.contains { $0.hasPrefix(Annotation.vultrPrefix) }
        let writesMooring = annotations.keys.contains { $0.hasPrefix(Annotation.mooringPrefix) }
        return writesVultr && !writesMooring ? vultrKey : info.key
    }
}

extension Annotation {
    /// Prefix of Mooring's own annotation keys.
    public static var mooringPrefix: String { "loadbalancer.mooring.dev/" }
    /// Prefix of Vultr's keys (`service.beta.kubernetes.io/vultr-loadbalancer-<suffix>`).
    public static var vultrPrefix: String { "service.beta.kubernetes.io/vultr-loadbalancer-" }
}
