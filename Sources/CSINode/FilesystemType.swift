import CSIDriver

/// The filesystems the node service creates and mounts. A capability naming anything else is
/// `INVALID_ARGUMENT`; an empty name means ext4.
public enum FilesystemType: String, Sendable, CaseIterable {
    case ext4
    case xfs

    public static let `default` = FilesystemType.ext4

    public init(capability name: String) throws(DriverError) {
        if name.isEmpty {
            self = .default
            return
        }
        guard let type = FilesystemType(rawValue: name.lowercased()) else {
            throw DriverError.invalidArgument(
                "unsupported fs_type \"\(PlainWord.printable(name))\": supported are \(FilesystemType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = type
    }
}
