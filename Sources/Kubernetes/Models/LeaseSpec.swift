import Foundation

/// `coordination.k8s.io/v1.LeaseSpec`. Times are `MicroTime` (six fractional digits).
public struct LeaseSpec: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var holderIdentity: String? {
        get { value("holderIdentity") }
        set { setValue("holderIdentity", newValue) }
    }
    public var leaseDurationSeconds: Int? {
        get { value("leaseDurationSeconds") }
        set { setValue("leaseDurationSeconds", newValue) }
    }
    public var acquireTime: Date? {
        get { value("acquireTime") }
        set { json["acquireTime"] = newValue.map { .string(KubernetesTime.format($0, fractionalDigits: 6)) } }
    }
    public var renewTime: Date? {
        get { value("renewTime") }
        set { json["renewTime"] = newValue.map { .string(KubernetesTime.format($0, fractionalDigits: 6)) } }
    }
    public var leaseTransitions: Int? {
        get { value("leaseTransitions") }
        set { setValue("leaseTransitions", newValue) }
    }
}
