import Foundation

/// `core/v1.Event`, the form `kubectl describe` and `kubectl get events` read.
public struct Event: KubernetesResource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Event", plural: "events", isNamespaced: true)

    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var involvedObject: ObjectReference {
        get { section("involvedObject") }
        set { setSection("involvedObject", newValue) }
    }
    public var reason: String? { get { value("reason") } set { setValue("reason", newValue) } }
    public var message: String? { get { value("message") } set { setValue("message", newValue) } }
    /// `Normal` or `Warning`.
    public var type: String? { get { value("type") } set { setValue("type", newValue) } }
    public var count: Int? { get { value("count") } set { setValue("count", newValue) } }
    public var firstTimestamp: Date? {
        get { value("firstTimestamp") }
        set { setValue("firstTimestamp", newValue) }
    }
    public var lastTimestamp: Date? {
        get { value("lastTimestamp") }
        set { setValue("lastTimestamp", newValue) }
    }
    /// `source.component`.
    public var sourceComponent: String? {
        get { json["source"]?["component"]?.stringValue }
        set { updateSource("component", newValue) }
    }
    /// `source.host`.
    public var sourceHost: String? {
        get { json["source"]?["host"]?.stringValue }
        set { updateSource("host", newValue) }
    }
    public var reportingComponent: String? {
        get { value("reportingComponent") }
        set { setValue("reportingComponent", newValue) }
    }
    public var reportingInstance: String? {
        get { value("reportingInstance") }
        set { setValue("reportingInstance", newValue) }
    }

    private mutating func updateSource(_ key: String, _ newValue: String?) {
        var source = json["source"]?.objectValue ?? [:]
        source[key] = newValue.map(JSONValue.string)
        json["source"] = .object(source)
    }
}
