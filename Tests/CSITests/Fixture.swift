import Foundation

/// Golden vectors written by hack/generate/gen-csi-fixtures.py (Python protobuf), found beside this file.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The bytes of `Fixtures/NAME.EXTENSION`.
    static func bytes(_ name: String, extension: String = "bin") throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name).\(`extension`)")))
    }

    /// Names of every vector in the directory (without `.bin`).
    static func names() throws -> Set<String> {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return Set(files.filter { $0.hasSuffix(".bin") }.map { String($0.dropLast(4)) })
    }
}
