/// `Event.type`.
public enum EventType: String, Sendable {
    case normal = "Normal"
    case warning = "Warning"
}
