import Foundation
import Yams

extension ClientConfiguration {
    /// The kubeconfig path kubectl would use: the first entry of `$KUBECONFIG`, else `~/.kube/config`.
    public static func defaultKubeConfigPath(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first {
            return String(first)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.kube/config"
    }

    /// Loads the context `context` (default: `current-context`) from a kubeconfig file.
    ///
    /// Relative file references resolve against the kubeconfig's directory, as kubectl does.
    /// Every problem in the selected context is reported together in one `ConfigurationError`.
    public static func kubeConfig(path: String, context contextName: String? = nil) throws -> ClientConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("file not found or unreadable", path: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("not UTF-8 text", path: path)
        }
        let file: KubeConfig
        do {
            file = try YAMLDecoder().decode(KubeConfig.self, from: text)
        } catch {
            throw ConfigurationError("malformed YAML: \(error)", path: path)
        }
        let baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try resolve(file, context: contextName, baseDirectory: baseDirectory, path: path)
    }

    static func resolve(_ file: KubeConfig, context contextName: String?, baseDirectory: URL, path: String) throws
        -> ClientConfiguration
    {
        var problems: [String] = []
        guard let name = contextName ?? file.currentContext, !name.isEmpty else {
            throw ConfigurationError("no context given and no current-context set", path: path)
        }
        guard let context = file.contexts?.first(where: { $0.name == name })?.value else {
            throw ConfigurationError("context \"\(name)\" not found", path: path)
        }
        let cluster = context.cluster.flatMap { clusterName in file.clusters?.first { $0.name == clusterName }?.value }
        if cluster == nil { problems.append("cluster \"\(context.cluster ?? "")\" of context \"\(name)\" not found") }
        var user: KubeConfig.User?
        if let userName = context.user, !userName.isEmpty {
            user = file.users?.first { $0.name == userName }?.value
            if user == nil { problems.append("user \"\(userName)\" of context \"\(name)\" not found") }
        }

        func readFile(_ reference: String, _ what: String) -> Data? {
            let url = reference.hasPrefix("/") ? URL(fileURLWithPath: reference) : baseDirectory.appendingPathComponent(reference)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                problems.append("\(what) file \(url.path) not found or unreadable")
                return nil
            }
            return data
        }
        func decodeBase64(_ text: String, _ what: String) -> Data? {
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                problems.append("\(what) is not valid base64")
                return nil
            }
            return data
        }

        var server: URL?
        if let text = cluster?.server {
            if let url = URL(string: text), let scheme = url.scheme, ["https", "http"].contains(scheme), url.host != nil {
                server = url
            } else {
                problems.append("cluster server \"\(text)\" is not an http(s) URL")
            }
        } else if cluster != nil {
            problems.append("cluster of context \"\(name)\" has no server")
        }
        var ca: Data?
        if let data = cluster?.certificateAuthorityData {
            ca = decodeBase64(data, "certificate-authority-data")
        } else if let file = cluster?.certificateAuthority {
            ca = readFile(file, "certificate-authority")
        }
        var certificate: Data?
        var key: Data?
        var credentials = Credentials.none
        if let user {
            if let data = user.clientCertificateData {
                certificate = decodeBase64(data, "client-certificate-data")
            } else if let file = user.clientCertificate {
                certificate = readFile(file, "client-certificate")
            }
            if let data = user.clientKeyData {
                key = decodeBase64(data, "client-key-data")
            } else if let file = user.clientKey {
                key = readFile(file, "client-key")
            }
            let hasCertificate = (user.clientCertificate ?? user.clientCertificateData) != nil
            let hasKey = (user.clientKey ?? user.clientKeyData) != nil
            if hasCertificate != hasKey {
                problems.append("client certificate and client key must be given together")
            }
            if let token = user.token, !token.isEmpty {
                credentials = .bearerToken(token)
            } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
                let resolved = tokenFile.hasPrefix("/") ? tokenFile : baseDirectory.appendingPathComponent(tokenFile).path
                if FileManager.default.isReadableFile(atPath: resolved) {
                    credentials = .bearerTokenFile(resolved)
                } else {
                    problems.append("tokenFile \(resolved) not found or unreadable")
                }
            } else if let username = user.username, let password = user.password {
                credentials = .basic(username: username, password: password)
            } else if user.exec != nil || user.authProvider != nil, certificate == nil {
                problems.append("exec and auth-provider credential plugins are not supported; use a token or certificate")
            }
        }
        if !problems.isEmpty { throw ConfigurationError(problems, path: path) }
        guard let server else { throw ConfigurationError("no server", path: path) }
        return ClientConfiguration(
            server: server, certificateAuthority: ca, clientCertificate: certificate, clientKey: key,
            insecureSkipTLSVerify: cluster?.insecureSkipTLSVerify ?? false, credentials: credentials,
            namespace: context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default")
    }
}
