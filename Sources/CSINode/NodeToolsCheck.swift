import CSIDriver
import RPC
import SystemIO

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
        self.searchPath = searchPath ?? CommandRunner.defaultSearchPath
    }

    public func problem() async -> String? {
        let (tools, searchPath) = (self.tools, self.searchPath)
        let missing = await Blocking.run { tools.filter { CommandRunner.find($0, in: searchPath) == nil } }
        guard !missing.isEmpty else { return nil }
        return "missing executables: \(missing.joined(separator: ", ")) (searched \(searchPath))"
    }
}
