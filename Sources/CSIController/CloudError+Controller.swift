import CloudAPI

extension CloudError {
    /// The resource is not there: the API said 404, or the id could never name one (the client
    /// refused to put it in a path).
    var meansAbsent: Bool {
        code == .notFound || (code == .invalidInput && status == nil)
    }

    /// The request may have been carried out although no answer came back (a dropped response,
    /// a timeout, a 5xx after the fact): look before trying again.
    var mayHaveCommitted: Bool {
        code == .transport || code == .timeout || code == .unavailable || code == .invalidResponse
    }
}
