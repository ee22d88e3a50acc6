import Foundation

/// `v1.Secret`. `data` values are base64 on the wire and bytes here.
public struct Secret: KubernetesResource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Secret", plural: "secrets", isNamespaced: true)

    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var type: String? { get { value("type") } set { setValue("type", newValue) } }

    public var data: [String: Data] {
        get { (value("data", as: [String: String].self) ?? [:]).compactMapValues { Data(base64Encoded: $0) } }
        set { setValue("data", newValue.mapValues { $0.base64EncodedString() }) }
    }
}
