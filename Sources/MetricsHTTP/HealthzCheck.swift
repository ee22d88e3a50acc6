/// A named check `/healthz` runs; `nil` means healthy, a string says what is wrong. Programs inject
/// their own (cloud-controller-manager: the leader lease is renewed in time).
public struct HealthzCheck: Sendable {
    public var name: String
    public var check: @Sendable () -> String?

    public init(name: String, check: @escaping @Sendable () -> String?) {
        self.name = name
        self.check = check
    }
}
