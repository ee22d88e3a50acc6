/// A Service annotation whose value cannot be used; ``message`` says why. Never carries secret
/// material: values are quoted only for annotations that hold no secrets.
public struct AnnotationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The annotation as the user wrote it (Mooring's or Vultr's key).
    public let key: String
    public let message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "annotation \(key): \(message)" }
}
