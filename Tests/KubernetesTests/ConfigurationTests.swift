import Foundation
import Kubernetes
import Testing

@Suite struct ConfigurationTests {
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    @Test func currentContextWithFilesAndToken() async throws {
        try await withTemporaryDirectory { directory in
            try write(Self.pem, to: directory.appendingPathComponent("ca.crt"))
            try write("file-token", to: directory.appendingPathComponent("token"))
            let config = directory.appendingPathComponent("config")
            try write(
                """
                apiVersion: v1
                kind: Config
                current-context: prod
                clusters:
                - name: dev
                  cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
                - name: prod
                  cluster:
                    server: https://203.0.113.10:6443
                    certificate-authority: ca.crt
                users:
                - name: admin
                  user:
                    tokenFile: token
                - name: dev
                  user: {token: abc}
                contexts:
                - name: dev
                  context: {cluster: dev, user: dev}
                - name: prod
                  context: {cluster: prod, user: admin, namespace: kube-system}
                """, to: config)
            let prod = try ClientConfiguration.kubeConfig(path: config.path)
            #expect(prod.server.absoluteString == "https://203.0.113.10:6443")
            #expect(prod.certificateAuthority == Data(Self.pem.utf8))
            #expect(prod.insecureSkipTLSVerify == false)
            #expect(prod.namespace == "kube-system")
            guard case .bearerTokenFile(let path) = prod.credentials else {
                Issue.record("expected a token file, got \(prod.credentials)")
                return
            }
            #expect(path == directory.appendingPathComponent("token").path)
            let dev = try ClientConfiguration.kubeConfig(path: config.path, context: "dev")
            #expect(dev.insecureSkipTLSVerify == true)
            #expect(dev.namespace == "default")
            guard case .bearerToken("abc") = dev.credentials else {
                Issue.record("expected token abc, got \(dev.credentials)")
                return
            }
        }
    }

    @Test func inlineCertificateData() async throws {
        try await withTemporaryDirectory { directory in
            let encoded = Data(Self.pem.utf8).base64EncodedString()
            let config = directory.appendingPathComponent("config")
            try write(
                """
                current-context: c
                clusters: [{name: k, cluster: {server: "https://[::1]:6443", certificate-authority-data: \(encoded)}}]
                users: [{name: u, user: {client-certificate-data: \(encoded), client-key-data: \(encoded)}}]
                contexts: [{name: c, context: {cluster: k, user: u}}]
                """, to: config)
            let configuration = try ClientConfiguration.kubeConfig(path: config.path)
            #expect(configuration.certificateAuthority == Data(Self.pem.utf8))
            #expect(configuration.clientCertificate == Data(Self.pem.utf8))
            #expect(configuration.clientKey == Data(Self.pem.utf8))
            #expect(configuration.server.host?.contains("::1") == true)
        }
    }

    @Test func clearErrors() async throws {
        try await withTemporaryDirectory { directory in
            let missing = directory.appendingPathComponent("nope").path
            #expect { try ClientConfiguration.kubeConfig(path: missing) } throws: { error in
                "\(error)".contains("not found") && "\(error)".contains(missing)
            }
            let malformed = directory.appendingPathComponent("malformed")
            try write("clusters: [unclosed", to: malformed)
            #expect { try ClientConfiguration.kubeConfig(path: malformed.path) } throws: { "\($0)".contains("malformed YAML") }
            let broken = directory.appendingPathComponent("broken")
            try write(
                """
                current-context: c
                clusters: [{name: k, cluster: {certificate-authority: missing-ca.crt}}]
                users: [{name: u, user: {client-certificate: cert.pem}}]
                contexts: [{name: c, context: {cluster: k, user: u}}, {name: d, context: {cluster: gone}}]
                """, to: broken)
            // Every problem of the context is reported at once.
            #expect { try ClientConfiguration.kubeConfig(path: broken.path) } throws: { error in
                let problems = (error as? ConfigurationError)?.problems ?? []
                return problems.count >= 3 && "\(error)".contains("no server") && "\(error)".contains("missing-ca.crt")
                    && "\(error)".contains("client key")
            }
            #expect { try ClientConfiguration.kubeConfig(path: broken.path, context: "d") } throws: {
                "\($0)".contains("cluster \"gone\"")
            }
            #expect { try ClientConfiguration.kubeConfig(path: broken.path, context: "zz") } throws: {
                "\($0)".contains("context \"zz\" not found")
            }
        }
    }

    @Test func inCluster() async throws {
        try await withTemporaryDirectory { directory in
            try write(Self.pem, to: directory.appendingPathComponent("ca.crt"))
            try write("sa-token", to: directory.appendingPathComponent("token"))
            try write("kube-system\n", to: directory.appendingPathComponent("namespace"))
            let configuration = try ClientConfiguration.inCluster(
                environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                serviceAccountDirectory: directory.path)
            #expect(configuration.server.absoluteString == "https://10.96.0.1:443")
            #expect(configuration.namespace == "kube-system")
            #expect(configuration.certificateAuthority == Data(Self.pem.utf8))
            #expect(configuration.insecureSkipTLSVerify == false)
            let v6 = try ClientConfiguration.inCluster(
                environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
                serviceAccountDirectory: directory.path)
            #expect(v6.server.absoluteString == "https://[fd00::1]:443")
            #expect { try ClientConfiguration.inCluster(environment: [:], serviceAccountDirectory: directory.path + "/x") } throws: {
                ($0 as? ConfigurationError)?.problems.count == 3
            }
        }
    }

    @Test func kubeconfigEnvironment() {
        #expect(ClientConfiguration.defaultKubeConfigPath(environment: ["KUBECONFIG": "/a:/b", "HOME": "/h"]) == "/a")
        #expect(ClientConfiguration.defaultKubeConfigPath(environment: ["HOME": "/h"]) == "/h/.kube/config")
    }
}
