/// Text that is not `HOST:PORT`.
public struct ListenAddressError: Error, CustomStringConvertible {
    public let description: String
    init(_ text: String) { description = "expected HOST:PORT with a port from 0 to 65535, got '\(text)'" }
}
