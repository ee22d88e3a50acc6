/// Where a resource is in its life: `pending` until the cloud has made it, then `active`.
public enum ProvisioningStatus: Hashable, Sendable, CustomStringConvertible {
    case pending
    case active
    /// Any other state the API reports (e.g. `suspended`, `resizing`).
    case other(String)

    init(wire: String?) {
        switch wire {
        case "pending": self = .pending
        case "active": self = .active
        default: self = .other(wire ?? "")
        }
    }

    public var description: String {
        switch self {
        case .pending: "pending"
        case .active: "active"
        case .other(let value): value
        }
    }
}
