/// Mooring's release version (semantic versioning), reported as the CSI vendor version and in
/// every executable's `--version`.
public enum MooringVersion {
    public static let string = "0.1.0"
}
