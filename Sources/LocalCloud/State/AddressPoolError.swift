/// An address pool that could not be parsed.
public struct AddressPoolError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
