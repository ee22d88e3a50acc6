import CloudAPI
import Foundation
import Testing

@Suite struct APIKeyTests {
    @Test func keyFileIsTrimmedAndRedacted() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try "  SECRET-from-file\n".write(to: file, atomically: true, encoding: .utf8)
        let key = try APIKey(contentsOfFile: file.path)
        #expect("\(key)" == "APIKey(redacted)")
        try "\n".write(to: file, atomically: true, encoding: .utf8)
        let empty = #expect(throws: CloudError.self) { try APIKey(contentsOfFile: file.path) }
        #expect(empty?.code == .invalidInput)
        #expect(empty?.message.contains("SECRET") == false)
        #expect(throws: CloudError.self) { try APIKey(contentsOfFile: "/nonexistent/key") }
    }

    @Test func environmentVariableMustBeSetAndNonEmpty() {
        #expect(APIKey.fromEnvironment("MOORING_TEST_SURELY_UNSET_VARIABLE") == nil)
        #expect(APIKey.fromEnvironment("PATH") != nil)
    }
}
