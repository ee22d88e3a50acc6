import Foundation

/// A throwaway self-signed certificate and its key, made by the `openssl` CLI (installed by
/// hack/install-deps.sh): the local cloud checks that TLS material is PEM and that the key
/// matches the certificate, so placeholders will not do.
struct TestCertificate {
    let certificate: String
    let key: String

    static func make(commonName: String) throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mooring-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.pem"), certificate = directory.appendingPathComponent("cert.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key.path, "-out", certificate.path, "-days", "2", "-subj", "/CN=\(commonName)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return TestCertificate(
            certificate: try String(contentsOf: certificate, encoding: .utf8), key: try String(contentsOf: key, encoding: .utf8))
    }

    /// A line from the middle of the key: what must never appear in an event or a log.
    var keyMaterial: String {
        key.split(separator: "\n").first { !$0.hasPrefix("-----") }.map(String.init) ?? key
    }
}
