/// A resource created `pending` that turns `active` once its ready time has passed (blocks,
/// VFS, load balancers, bare-metal servers); the store calls ``becomeReady()``.
protocol PendingResource: StoredResource {
    var status: String { get set }
}

extension PendingResource {
    mutating func becomeReady() {
        if status == "pending" { status = "active" }
    }
}
