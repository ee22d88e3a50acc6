import CSIDriver
import RPC
#if canImport(Glibc)
import Glibc
#endif

/// Ready when every external program the node service runs is installed and executable.
public struct NodeToolsCheck: ReadinessCheck {
    /// The programs NodeStage/NodeExpand/NodeGetVolumeStats rely on.
    public static let required = ["blkid", "mkfs.ext4", "mkfs.xfs", "mount", "umount", "resize2fs", "xfs_growfs",
                                  "e2fsck", "blockdev", "dumpe2fs", "xfs_info"]

    public let name = "node tools"
    public let tools: [String]
    public let searchPath: String

    public init(tools: [String] = NodeToolsCheck.required, searchPath: String? = nil) {
        self.tools = tools
        self.searchPath = searchPath ?? (getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin")
    }

    public func problem() async -> String? {
        let (tools, searchPath) = (self.tools, self.searchPath)
        let missing = await Blocking.run { tools.filter { NodeToolsCheck.find($0, in: searchPath) == nil } }
        guard !missing.isEmpty else { return nil }
        return "missing executables: \(missing.joined(separator: ", ")) (searched \(searchPath))"
    }

    /// The first executable file named `tool` in the colon-separated `searchPath`.
    static func find(_ tool: String, in searchPath: String) -> String? {
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(tool)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}
