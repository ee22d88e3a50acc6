import CloudAPI
import CSIDriver

/// Ready when the cloud API answers an authenticated request: the controller can do nothing
/// without it. A rejected key is reported as such, so the fix is obvious from the probe's message.
public struct CloudAccessReadiness: ReadinessCheck {
    public let name = "cloud API"
    public let cloud: any CloudAccessCheck
    public let baseURL: String

    public init(cloud: any CloudAccessCheck, baseURL: String) {
        self.cloud = cloud
        self.baseURL = baseURL
    }

    public func problem() async -> String? {
        do {
            try await cloud.checkAccess()
            return nil
        } catch let error as CloudError where error.code == .unauthorized {
            return "\(baseURL) rejected the API key (\(error.message))"
        } catch {
            return "\(baseURL) is not reachable: \(error)"
        }
    }
}
