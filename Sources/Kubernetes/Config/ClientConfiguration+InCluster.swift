import Foundation

extension ClientConfiguration {
    /// Where a pod finds its service-account credentials.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Configuration for a process running in a pod: `KUBERNETES_SERVICE_HOST`/`_PORT`, the
    /// service-account CA, and the token file (re-read when the kubelet rotates it).
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory directory: String = serviceAccountDirectory
    ) throws -> ClientConfiguration {
        var problems: [String] = []
        let host = environment["KUBERNETES_SERVICE_HOST"] ?? ""
        let port = environment["KUBERNETES_SERVICE_PORT"] ?? ""
        if host.isEmpty || port.isEmpty {
            problems.append("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (not running in a pod?)")
        }
        let tokenPath = directory + "/token"
        if !FileManager.default.isReadableFile(atPath: tokenPath) {
            problems.append("service-account token \(tokenPath) not found or unreadable")
        }
        let ca = FileManager.default.contents(atPath: directory + "/ca.crt")
        if ca == nil { problems.append("service-account CA \(directory)/ca.crt not found or unreadable") }
        if !problems.isEmpty { throw ConfigurationError(problems) }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else {
            throw ConfigurationError("cannot form a URL from host \(host) and port \(port)")
        }
        let namespace = FileManager.default.contents(atPath: directory + "/namespace")
            .flatMap { String(data: $0, encoding: .utf8) }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ClientConfiguration(
            server: server, certificateAuthority: ca, credentials: .bearerTokenFile(tokenPath),
            namespace: (namespace?.isEmpty ?? true) ? "default" : namespace!)
    }
}
