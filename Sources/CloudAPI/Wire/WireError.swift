/// A response the client could not turn into domain types.
struct WireError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
