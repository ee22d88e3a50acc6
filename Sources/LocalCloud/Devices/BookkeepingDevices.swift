/// Blocks as bookkeeping only: nothing exists outside the database.
struct BookkeepingDevices: BlockDevices {
    func create(block id: String, sizeGB: Int, fromSnapshot snapshotID: String?) throws {}
    func delete(block id: String) throws {}
    func attach(block id: String, mountID: String) throws -> String { "" }
    func detach(block id: String, mountID: String, devicePath: String) throws {}
    func resize(block id: String, sizeGB: Int, devicePath: String?) throws {}
    func snapshot(block id: String, snapshot snapshotID: String) throws {}
    func deleteSnapshot(_ snapshotID: String) throws {}
    func ensureAttached(block id: String, mountID: String, devicePath: String) throws -> String { devicePath }
}
