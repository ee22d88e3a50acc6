import CloudAPI
import Logging

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

/// Runs a create and, when its answer may have been lost after the cloud carried it out, looks for
/// what it made (by the label or description the create gave it) before failing, so that a retried
/// create never makes a second resource. `found` names the adopted resource in the log.
func createOrAdopt<Resource: Sendable>(
    _ create: () async throws -> Resource,
    lookUp: () async throws -> Resource?,
    log: Logger, found: (Resource) -> Logger.Metadata
) async throws -> Resource {
    do {
        return try await create()
    } catch let error as CloudError where error.mayHaveCommitted {
        guard let made = try await lookUp() else { throw error }
        log.info("create answer lost; found what it made", metadata: found(made))
        return made
    }
}
