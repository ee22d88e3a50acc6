/// Whether an instance's machine is on.
public enum PowerState: Hashable, Sendable {
    case running
    case stopped
    case other(String)

    init(wire: String?) {
        switch wire {
        case "running": self = .running
        case "stopped": self = .stopped
        default: self = .other(wire ?? "")
        }
    }
}
