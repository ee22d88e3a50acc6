/// What a reconcile asks of the queue after succeeding.
public enum ReconcileResult: Sendable, Hashable {
    /// Finished; reset the key's backoff.
    case done
    /// Still pending (e.g. a load balancer being provisioned): look again after a fixed interval.
    case requeue(after: Duration)
}
