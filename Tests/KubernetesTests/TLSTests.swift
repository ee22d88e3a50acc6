import Foundation
import Kubernetes
import KubernetesTestSupport
import NIOSSL
import Testing

/// End-to-end TLS through a kubeconfig: CA trust, client certificates, insecure-skip-tls-verify.
/// Certificates come from the `openssl` command line tool.
@Suite struct TLSTests {
    struct PKI {
        var directory: URL
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }
    }

    static func openssl(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ConfigurationError("openssl \(arguments.joined(separator: " ")) failed")
        }
    }

    /// A CA, a server certificate for 127.0.0.1 and a client certificate, plus a second,
    /// unrelated CA.
    static func makePKI(in directory: URL) throws -> PKI {
        for ca in ["ca", "other-ca"] {
            try openssl(
                ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(ca).key",
                 "-out", "\(ca).crt", "-days", "2", "-subj", "/CN=\(ca)"], in: directory)
        }
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: directory.appendingPathComponent("server.ext"))
        for (name, subject, extfile) in [("server", "/CN=kube-apiserver", "server.ext"), ("client", "/CN=ccm/O=system:masters", nil)] {
            try openssl(
                ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(name).key",
                 "-out", "\(name).csr", "-subj", subject], in: directory)
            var sign = ["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                        "-out", "\(name).crt", "-days", "2"]
            if let extfile { sign += ["-extfile", extfile] }
            try openssl(sign, in: directory)
        }
        return PKI(directory: directory)
    }

    static func serverTLS(_ pki: PKI) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(pki.path("server.crt")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: pki.path("server.key"), format: .pem)))
        tls.trustRoots = .file(pki.path("ca.crt"))
        tls.certificateVerification = .noHostnameVerification
        return tls
    }

    func kubeconfig(_ server: TestAPIServer, _ pki: PKI, cluster: String, user: String) throws -> String {
        let path = pki.path("kubeconfig-\(UUID().uuidString)")
        try Data(
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "\(server.url.absoluteString)", \(cluster)}}]
            users: [{name: u, user: {\(user)}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        return path
    }

    func listNodes(_ path: String) async throws {
        var configuration = try ClientConfiguration.kubeConfig(path: path)
        configuration.requestTimeout = .seconds(3)
        let client = try KubernetesClient(configuration: configuration, logger: testLogger)
        do {
            _ = try await client.list(Node.self)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func mutualTLSThroughKubeconfig() async throws {
        try await withTemporaryDirectory { directory in
            let pki = try Self.makePKI(in: directory)
            let server = try await TestAPIServer.start(tls: try Self.serverTLS(pki))
            let clientFiles = "client-certificate: client.crt, client-key: client.key"

            // Trusting the right CA and presenting a client certificate works.
            try await listNodes(try kubeconfig(server, pki, cluster: "certificate-authority: ca.crt", user: clientFiles))
            // Inline data works the same.
            let inline =
                "client-certificate-data: \(try pki.data("client.crt").base64EncodedString()), client-key-data: \(try pki.data("client.key").base64EncodedString())"
            try await listNodes(
                try kubeconfig(
                    server, pki, cluster: "certificate-authority-data: \(try pki.data("ca.crt").base64EncodedString())", user: inline))
            // The wrong CA is refused.
            await #expect {
                try await listNodes(try kubeconfig(server, pki, cluster: "certificate-authority: other-ca.crt", user: clientFiles))
            } throws: { $0.isKubernetesError(.transport) }
            // Skipping verification is honoured only because the file says so.
            try await listNodes(try kubeconfig(server, pki, cluster: "insecure-skip-tls-verify: true", user: clientFiles))
            // Without a client certificate the server refuses the handshake.
            await #expect {
                try await listNodes(try kubeconfig(server, pki, cluster: "certificate-authority: ca.crt", user: "token: abc"))
            } throws: { $0.isKubernetesError(.transport) }
            await server.shutdown()
        }
    }
}
