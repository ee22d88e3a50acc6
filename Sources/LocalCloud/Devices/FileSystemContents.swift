import Foundation

/// Where the local cloud keeps what its VFS hold: `<root>/<vfs_id>/` is a file system's
/// contents, and `<root>/tags/<mount_tag>` a link to it for each attachment. A cloud instance
/// mounts `virtiofs <mount_tag>`; `csi-node --vfs-dir <root>` bind-mounts the directory the tag's
/// link names instead. Calls block (file I/O): the API handler runs them on the store's threads.
struct FileSystemContents: Sendable {
    let root: URL

    var tags: URL { root.appendingPathComponent("tags") }

    func directory(_ id: String) -> URL { root.appendingPathComponent(id) }

    func create(_ id: String) throws {
        try FileManager.default.createDirectory(at: directory(id), withIntermediateDirectories: true)
        // Shared by every node's pods, whoever they run as.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory(id).path)
    }

    func delete(_ id: String) throws {
        let path = directory(id)
        guard FileManager.default.fileExists(atPath: path.path) else { return }
        try FileManager.default.removeItem(at: path)
    }

    /// Makes `tags/<tag>` name the file system's directory.
    func link(tag: Int, to id: String) throws {
        try FileManager.default.createDirectory(at: tags, withIntermediateDirectories: true)
        let link = tags.appendingPathComponent(String(tag))
        try? FileManager.default.removeItem(at: link)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "../\(id)")
    }

    func unlink(tag: Int) {
        try? FileManager.default.removeItem(at: tags.appendingPathComponent(String(tag)))
    }

    /// Bytes the file system's files take (their sizes, summed; directories count nothing).
    func usedBytes(_ id: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(
            at: directory(id), includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey], options: [])
        else { return 0 }
        var total: Int64 = 0
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]),
                  values.isRegularFile == true else { continue }
            total += Int64(values.fileSize ?? 0)
        }
        return total
    }
}
