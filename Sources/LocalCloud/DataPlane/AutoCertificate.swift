import Foundation

/// What the local cloud does for `auto_ssl`: Vultr issues a certificate for the domain from a
/// public CA; the local cloud makes a self-signed one (P-256, 90 days, the name as CN and
/// subjectAltName) with the `openssl` CLI, which the data plane then serves on https frontends.
enum AutoCertificate {
    /// A fresh key and self-signed certificate for `domain`. Blocks while `openssl` runs.
    static func make(for domain: String) throws -> BalancerSpec.TLSMaterial {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("localcloud-autossl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.pem"), certificate = directory.appendingPathComponent("cert.pem")
        try CommandRunner.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key.path, "-out", certificate.path, "-days", "90", "-subj", "/CN=\(domain)",
            "-addext", "subjectAltName=DNS:\(domain)",
        ])
        return BalancerSpec.TLSMaterial(
            privateKey: try String(contentsOf: key, encoding: .utf8), certificate: try String(contentsOf: certificate, encoding: .utf8),
            chain: "")
    }
}
