import ArgumentParser

/// `--api-url` and `--api-key-file`, the cloud access flags csi-controller and the cloud controller
/// manager share, with their one check and the one way the key is found.
public struct CloudAccessOptions: ParsableArguments {
    @Option(name: .customLong("api-url"), help: "Cloud API base URL (Vultr: https://api.vultr.com; or a localcloud URL).")
    public var apiURL = "https://api.vultr.com"

    @Option(name: .customLong("api-key-file"), help: "File holding the API key (else VULTR_API_KEY).")
    public var apiKeyFile: String?

    public init() {}

    public func validate() throws {
        guard apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://") else {
            throw ValidationError("--api-url must be an http:// or https:// URL, got \"\(apiURL)\"")
        }
    }

    /// The key from `--api-key-file`, else from `VULTR_API_KEY`; a missing or empty one is a
    /// usage error that says where the key was looked for.
    public func apiKey() throws -> APIKey {
        do {
            return try APIKey.resolve(file: apiKeyFile)
        } catch {
            throw ValidationError((error as? CloudError)?.message ?? "\(error)")
        }
    }
}
