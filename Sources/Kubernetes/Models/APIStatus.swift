/// A `meta/v1.Status` object: what the API server returns with an error or a delete.
public struct APIStatus: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    /// `Success` or `Failure`.
    public var status: String? { get { value("status") } set { setValue("status", newValue) } }
    public var message: String? { get { value("message") } set { setValue("message", newValue) } }
    /// Machine-readable reason such as `NotFound`, `AlreadyExists`, `Conflict`, `Expired`.
    public var reason: String? { get { value("reason") } set { setValue("reason", newValue) } }
    public var code: Int? { get { value("code") } set { setValue("code", newValue) } }
    public var retryAfterSeconds: Int? { json["details"]?["retryAfterSeconds"]?.intValue }
}
