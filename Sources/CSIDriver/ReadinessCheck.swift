/// One dependency a plugin needs before it can do its job (the cloud API for the controller, the
/// filesystem tools for the node). Probe asks every check, every time.
public protocol ReadinessCheck: Sendable {
    /// Short name used in Probe's failure message, e.g. "cloud API".
    var name: String { get }
    /// nil when ready, else why not (said to the caller and logged).
    func problem() async -> String?
}
