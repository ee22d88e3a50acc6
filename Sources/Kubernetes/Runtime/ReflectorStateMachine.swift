/// Decides what a list+watch loop does next.
///
/// - Start (or after 410 Gone): list, then watch from the list's resourceVersion.
/// - Every event and bookmark moves the resume point forward.
/// - A watch that ends or drops is reopened at once from the resume point; failures to reopen
///   back off exponentially (reset by the next event).
/// - 410 Gone (on a watch or a list) discards the resume point: relist (backing off when it
///   repeats without a successful list in between).
/// - 429 waits the server's Retry-After (or the backoff, whichever is longer).
struct ReflectorStateMachine: Sendable {
    enum Action: Equatable, Sendable {
        case list
        case watch(from: String)
        case wait(Duration)
    }

    private(set) var resourceVersion: String?
    private(set) var consecutiveFailures = 0
    private var pendingWait: Duration?
    let backoff: ExponentialBackoff

    init(backoff: ExponentialBackoff = ExponentialBackoff(base: .milliseconds(800), maximum: .seconds(30))) {
        self.backoff = backoff
    }

    /// What to do now. A `.wait` is followed by the list or watch it delayed.
    mutating func nextAction() -> Action {
        if let wait = pendingWait {
            pendingWait = nil
            return .wait(wait)
        }
        guard let resourceVersion else { return .list }
        return .watch(from: resourceVersion)
    }

    mutating func listSucceeded(resourceVersion: String) {
        self.resourceVersion = resourceVersion
        consecutiveFailures = 0
    }

    /// An event or bookmark arrived carrying `resourceVersion`.
    mutating func received(resourceVersion: String?) {
        if let resourceVersion, !resourceVersion.isEmpty { self.resourceVersion = resourceVersion }
        consecutiveFailures = 0
    }

    /// The watch stream ended (server timeout or dropped connection). After a stream that
    /// delivered something, reopen at once; a stream that ended empty counts as a failure so a
    /// server that keeps closing watches is not hammered.
    mutating func watchEnded(deliveredEvents: Bool) {
        if deliveredEvents {
            consecutiveFailures = 0
        } else {
            pendingWait = backoff.delay(afterFailures: consecutiveFailures)
            consecutiveFailures += 1
        }
    }

    mutating func failed(_ error: any Error) {
        let delay = backoff.delay(afterFailures: consecutiveFailures)
        consecutiveFailures += 1
        if let error = error as? KubernetesError {
            if error.code == .gone {
                // The resume point is gone from the server's history: start over with a list, at
                // once the first time, with backoff if lists keep failing that way.
                resourceVersion = nil
                if consecutiveFailures > 1 { pendingWait = delay }
                return
            }
            if error.code == .tooManyRequests, let retryAfter = error.retryAfter {
                pendingWait = max(retryAfter, delay)
                return
            }
        }
        pendingWait = delay
    }
}
