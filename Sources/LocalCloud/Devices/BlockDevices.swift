/// What backs blocks on this machine. Calls block (file I/O, exec): run them on the store's
/// thread, never on an event loop.
protocol BlockDevices: Sendable {
    /// Creates the backing store of a new block, optionally as a copy of a snapshot.
    func create(block id: String, sizeGB: Int, fromSnapshot snapshotID: String?) throws
    /// Removes the backing store of a (detached) block.
    func delete(block id: String) throws
    /// Makes the block visible as a device; returns its path (empty when there is none).
    func attach(block id: String, mountID: String) throws -> String
    /// Removes the device of an attached block.
    func detach(block id: String, mountID: String, devicePath: String) throws
    /// Grows the backing store, refreshing the device when attached.
    func resize(block id: String, sizeGB: Int, devicePath: String?) throws
    /// Copies the block's current content into a snapshot.
    func snapshot(block id: String, snapshot snapshotID: String) throws
    /// Removes a snapshot's content.
    func deleteSnapshot(_ snapshotID: String) throws
    /// Makes sure an attached block's device still exists (it does not survive a reboot);
    /// returns the device path now in use.
    func ensureAttached(block id: String, mountID: String, devicePath: String) throws -> String
}
