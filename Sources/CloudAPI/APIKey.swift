#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The provider API key. It prints as `APIKey(redacted)`, so it cannot leak into a log line, an
/// error or a metric label by interpolation.
public struct APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let secret: String

    public init(_ secret: String) {
        self.secret = secret
    }

    /// The key from an environment variable (default `VULTR_API_KEY`), if set and not empty.
    public static func fromEnvironment(_ variable: String = "VULTR_API_KEY") -> APIKey? {
        guard let value = ProcessInfo.processInfo.environment[variable].map(trimmingWhitespace),
            !value.isEmpty
        else { return nil }
        return APIKey(value)
    }

    /// The key from a file (surrounding whitespace trimmed). Reads the file: call it at startup.
    public init(contentsOfFile path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CloudError(code: .invalidInput, message: "cannot read API key file \(path)", path: "")
        }
        let key = trimmingWhitespace(text)
        guard !key.isEmpty else {
            throw CloudError(code: .invalidInput, message: "API key file \(path) is empty", path: "")
        }
        secret = key
    }

    /// The key as every Mooring program takes it: from `file` when given, else from the
    /// environment variable. The error says both ways when neither gave a key.
    public static func resolve(file: String?, environment variable: String = "VULTR_API_KEY") throws -> APIKey {
        if let file { return try APIKey(contentsOfFile: file) }
        if let key = fromEnvironment(variable) { return key }
        throw CloudError(
            code: .invalidInput, message: "no API key: set \(variable) or pass --api-key-file PATH", path: "")
    }

    public var description: String { "APIKey(redacted)" }
    public var debugDescription: String { description }
}
