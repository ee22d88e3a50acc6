import JSON
import SystemIO

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
        var attempt = 1
        while true {
            // Only the exchange itself (no answer) and 5xx answers are worth another try; any
            // other answer, or a document that does not parse, is final.
            let response: PlainHTTPGet.Response
            do {
                response = try await get.fetch()
            } catch let failure as PlainHTTPGet.Failure {
                guard attempt < attempts else { throw failure }
                try await Task.sleep(for: delay)
                delay *= 2
                attempt += 1
                continue
            }
            switch response.status {
            case 200:
                return try Self.identity(fromDocument: response.body, url: url)
            case 500..<600 where attempt < attempts:
                try await Task.sleep(for: delay)
                delay *= 2
                attempt += 1
            default:
                throw PlainHTTPGet.Failure(url: url, reason: "metadata service answered HTTP \(response.status)")
            }
        }
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
        let id = document["instance-v2-id"]?.stringValue ?? document["instanceid"]?.stringValue
        let region = document["region"]?["regioncode"]?.stringValue
        guard let id, !id.isEmpty, let region, !region.isEmpty else {
            throw PlainHTTPGet.Failure(url: url, reason: "metadata document names no instance id and region")
        }
        return Identity(instanceID: id, region: region.lowercased())
    }
}
