
/// Fault injection from tests: queued faults and the random fault rates.
extension LocalCloudServer {
    /// Queues faults for the next `/v2` calls, ahead of the random ones (for tests).
    public func inject(_ fault: Fault, count: Int = 1) {
        faults.enqueue(fault, count: count)
    }

    /// Replaces the random fault rates.
    public func setFaults(_ spec: FaultSpec) {
        faults.setSpec(spec)
    }
}
