/// A fault spec that could not be parsed.
public struct FaultSpecError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
