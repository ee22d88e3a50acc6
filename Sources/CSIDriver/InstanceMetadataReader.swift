/// Reads this node's instance id and region from the cloud's instance metadata document
/// (`http://169.254.169.254/v1.json` on Vultr; a local cloud serves the same shape). Connection
/// failures and 5xx answers are retried with backoff: the service can be slow to come up at boot.
public struct InstanceMetadataReader: Sendable {
    public static let defaultURL = "http://169.254.169.254/v1.json"

    public struct Identity: Sendable, Equatable {
        public let instanceID: String
        public let region: String
    }

    public let url: String
    public var attempts = 5
    public var firstBackoff: Duration = .milliseconds(500)

    public init(url: String = InstanceMetadataReader.defaultURL) {
        self.url = url
    }

    public func fetch() async throws -> Identity {
        let get = try PlainHTTPGet(url: url)
        var delay = firstBackoff
        for attempt in 1...max(1, attempts) {
            do {
                let response = try await get.fetch()
                if (500..<600).contains(response.status), attempt < attempts {
                    try await Task.sleep(for: delay)
                    delay *= 2
                    continue
                }
                guard response.status == 200 else {
                    throw PlainHTTPGet.Failure(url: url, reason: "metadata service answered HTTP \(response.status)")
                }
                return try Self.identity(fromDocument: response.body, url: url)
            } catch let failure as PlainHTTPGet.Failure where attempt < attempts && !failure.reason.hasPrefix("metadata") {
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
        throw PlainHTTPGet.Failure(url: url, reason: "metadata service unavailable after \(attempts) attempts")
    }

    /// The v2 instance id (`instance-v2-id`, else the legacy `instanceid`) and `region.regioncode`,
    /// lower-cased: the metadata service says "EWR" where the API's region ids are "ewr".
    static func identity(fromDocument body: [UInt8], url: String) throws -> Identity {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body)
        } catch {
            throw PlainHTTPGet.Failure(url: url, reason: "metadata document is not JSON: \(error)")
        }
        let id = document["instance-v2-id"]?.string ?? document["instanceid"]?.string
        let region = document["region"]?["regioncode"]?.string
        guard let id, !id.isEmpty, let region, !region.isEmpty else {
            throw PlainHTTPGet.Failure(url: url, reason: "metadata document names no instance id and region")
        }
        return Identity(instanceID: id, region: region.lowercased())
    }
}
