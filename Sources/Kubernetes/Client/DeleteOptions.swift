/// The body of a DELETE: preconditions and propagation.
public struct DeleteOptions: Sendable, Hashable {
    /// Only delete the object with this UID (409 otherwise).
    public var preconditionUID: String?
    /// Only delete at this resourceVersion (409 otherwise).
    public var preconditionResourceVersion: String?
    /// `Orphan`, `Background` or `Foreground`.
    public var propagationPolicy: String?
    public var gracePeriodSeconds: Int?

    public init(
        preconditionUID: String? = nil, preconditionResourceVersion: String? = nil, propagationPolicy: String? = nil,
        gracePeriodSeconds: Int? = nil
    ) {
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
    }

    var json: JSONValue {
        var object: JSONObject = ["apiVersion": "v1", "kind": "DeleteOptions"]
        var preconditions: JSONObject = [:]
        if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
        if !preconditions.isEmpty { object["preconditions"] = .object(preconditions) }
        if let propagationPolicy { object["propagationPolicy"] = .string(propagationPolicy) }
        if let gracePeriodSeconds { object["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        return .object(object)
    }
}
