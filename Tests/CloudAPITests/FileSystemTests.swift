import CloudAPI
import Foundation
import Testing

/// The VFS client against the in-process local cloud: every call, and errors classified by HTTP
/// status alone.
@Suite struct FileSystemTests {
    @Test func lifecycleCreateAttachTwiceResizeDetachDelete() async throws {
        try await Harness.with { h in
            let (a, b) = (try await h.newInstance(), try await h.newInstance())
            let created = try await h.client.createFileSystem(FileSystemCreateRequest(region: "EWR", sizeGB: 10, label: "shared"))
            #expect(created.status == .pending && created.region == "ewr" && created.sizeGB == 10 && created.diskType == "nvme")
            try await Task.sleep(for: .milliseconds(150))
            #expect(try await h.client.fileSystem(id: created.id).status == .active)
            #expect(try await h.client.fileSystem(labeled: "shared")?.id == created.id)

            let onA = try await h.client.attachFileSystem(id: created.id, instanceID: a.id)
            let onB = try await h.client.attachFileSystem(id: created.id, instanceID: b.id)
            #expect(onA.fileSystemID == created.id && onA.instanceID == a.id && onA.state == "ATTACHED")
            #expect(onA.mountTag != onB.mountTag)
            #expect(try await h.client.attachFileSystem(id: created.id, instanceID: a.id) == onA)
            #expect(Set(try await h.client.fileSystemAttachments(id: created.id).map(\.instanceID)) == [a.id, b.id])
            #expect(try await h.client.fileSystemAttachment(id: created.id, instanceID: b.id) == onB)

            let deleting = await #expect(throws: CloudError.self) { try await h.client.deleteFileSystem(id: created.id) }
            #expect(deleting?.code == .conflict)

            let grown = try await h.client.resizeFileSystem(id: created.id, sizeGB: 30)
            #expect(grown.sizeGB == 30)
            // What the VFS holds is measured from its directory.
            let contents = h.dataDirectory.appendingPathComponent("vfs").appendingPathComponent(created.id)
            try Data(repeating: 7, count: 4096).write(to: contents.appendingPathComponent("data.bin"))
            #expect(try await h.client.fileSystem(id: created.id).usedBytes == 4096)

            try await h.client.detachFileSystem(id: created.id, instanceID: a.id)
            let again = await #expect(throws: CloudError.self) { try await h.client.detachFileSystem(id: created.id, instanceID: a.id) }
            #expect(again?.code == .notFound && again?.status == 404)
            try await h.client.detachFileSystem(id: created.id, instanceID: b.id)
            try await h.client.deleteFileSystem(id: created.id)
            #expect(!FileManager.default.fileExists(atPath: contents.path))
            let gone = await #expect(throws: CloudError.self) { try await h.client.fileSystem(id: created.id) }
            #expect(gone?.code == .notFound)
            #expect(try await h.client.fileSystems().isEmpty)
        }
    }

    @Test func badInputIsInvalidInput() async throws {
        try await Harness.with { h in
            for request in [FileSystemCreateRequest(region: "ewr", sizeGB: 5, label: "tiny"),
                            FileSystemCreateRequest(region: "nowhere", sizeGB: 10, label: "x"),
                            FileSystemCreateRequest(region: "ewr", sizeGB: 10, label: "x", diskType: "hdd")] {
                let error = await #expect(throws: CloudError.self) { try await h.client.createFileSystem(request) }
                #expect(error?.code == .invalidInput, "\(request)")
            }
            let unknownInstance = try await h.client.createFileSystem(FileSystemCreateRequest(region: "ewr", sizeGB: 10, label: "y"))
            try await Task.sleep(for: .milliseconds(150))
            let error = await #expect(throws: CloudError.self) {
                try await h.client.attachFileSystem(id: unknownInstance.id, instanceID: "00000000-0000-0000-0000-000000000000")
            }
            #expect(error?.code == .notFound)
        }
    }
}
