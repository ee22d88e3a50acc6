import CSI
import RPC

/// The name and version a CSI plugin reports in GetPluginInfo. Kubernetes keys everything on the
/// name (CSIDriver object, node registration, PV `spec.csi.driver`), so it is validated up front.
public struct DriverIdentity: Sendable, Equatable {
    /// Mooring's default driver name.
    public static let defaultName = "block.csi.mooring.dev"

    public let name: String
    public let version: String

    /// Accepts a name the CSI spec allows: at most 63 characters, domain-like (lower-case
    /// letters, digits, `-` and `.`, starting and ending with a letter or digit).
    public init(name: String = DriverIdentity.defaultName, version: String) throws(RPCError) {
        guard !name.isEmpty, name.utf8.count <= 63 else {
            throw RPCError(.invalidArgument, "driver name \"\(name)\" must be 1 to 63 characters long")
        }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        let first = name.utf8.first!, last = name.utf8.last!
        let alnum: (UInt8) -> Bool = { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
        guard allowed, alnum(first), alnum(last), !name.contains(".."), name.contains(".") else {
            throw RPCError(.invalidArgument,
                           "driver name \"\(name)\" must be domain-like: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, e.g. block.csi.example.com")
        }
        self.name = name
        self.version = version
    }
}
