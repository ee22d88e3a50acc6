import CSIDriver

/// Validation of the paths a CO hands the node service (staging, target and volume paths). A path
/// is accepted only when it is absolute and clean: no empty, `.` or `..` components, no trailing
/// slash, no NUL or newline, at most 4095 bytes. Anything else is `INVALID_ARGUMENT`, so a request
/// can never steer a mount outside the place it names.
public enum VolumePath {
    public static func validate(_ path: String, field: String) throws(DriverError) -> String {
        guard !path.isEmpty else { throw DriverError.invalidArgument("\(field) is required") }
        guard path.utf8.count <= 4095 else { throw DriverError.invalidArgument("\(field) is longer than 4095 bytes") }
        guard path.hasPrefix("/") else {
            throw DriverError.invalidArgument("\(field) \"\(path)\" must be an absolute path")
        }
        guard !path.utf8.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else {
            throw DriverError.invalidArgument("\(field) must not contain NUL or line breaks")
        }
        guard path != "/" else { throw DriverError.invalidArgument("\(field) must not be the root directory") }
        let components = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw DriverError.invalidArgument(
                "\(field) \"\(path)\" must be a clean path (no '.', '..', '//' or trailing '/')")
        }
        return path
    }
}
