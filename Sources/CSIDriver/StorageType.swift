/// The two kinds of volume, as vultr-csi names them in StorageClasses (`storage_type`) and in
/// the publish context: a block storage disk one instance attaches, or a Vultr File System
/// (VFS) any number of instances in its region mount at once with virtiofs.
public enum StorageType: String, Sendable, Hashable, CaseIterable {
    case block
    case vfs
}
