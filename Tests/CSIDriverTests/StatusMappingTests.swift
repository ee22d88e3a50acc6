import CSI
@testable import CSIDriver
import RPC
import Testing

@Suite struct StatusMappingTests {
    @Test func driverErrorsKeepTheirCodeAndMessage() {
        #expect(StatusMapping.status(for: DriverError.notFound("volume vol-9 does not exist"))
            == RPCError(.notFound, "volume vol-9 does not exist"))
        #expect(StatusMapping.status(for: RPCError(.aborted, "busy")) == RPCError(.aborted, "busy"))
    }

    @Test func malformedRequestsAreInvalidArgument() throws {
        let error = try #require(throws: CSIDecodingError.self) {
            try GetPluginInfoRequest(serializedBytes: [0xff, 0xff, 0xff])
        }
        let status = StatusMapping.status(for: error)
        #expect(status.code == .invalidArgument)
        #expect(status.message.contains("GetPluginInfoRequest"))
    }

    @Test func unknownErrorsAreInternalWithTheirCause() {
        struct Odd: Error, CustomStringConvertible { var description: String { "odd failure in mkfs" } }
        #expect(StatusMapping.status(for: Odd()) == RPCError(.internal, "odd failure in mkfs"))
    }
}

@Suite struct InFlightTests {
    @Test func aSecondOperationOnTheSameVolumeIsAborted() async throws {
        let guardian = InFlight()
        let (entered, enter) = AsyncStream.makeStream(of: Void.self)
        let (release, finish) = AsyncStream.makeStream(of: Void.self)
        let first = Task {
            try await guardian.run("vol-1", operation: "DeleteVolume") {
                enter.yield()
                for await _ in release { break }
                return "first"
            }
        }
        for await _ in entered { break }
        let error = await #expect(throws: DriverError.self) {
            try await guardian.run("vol-1", operation: "ControllerPublishVolume") { "second" }
        }
        #expect(error?.code == .aborted)
        #expect(error?.message.contains("vol-1") == true)
        // Another volume is not blocked.
        #expect(try await guardian.run("vol-2", operation: "DeleteVolume") { "other" } == "other")
        finish.yield()
        #expect(try await first.value == "first")
        #expect(guardian.count == 0)
        // Released after success and after failure alike.
        await #expect(throws: DriverError.self) {
            try await guardian.run("vol-1", operation: "x") { throw DriverError.internal("boom") }
        }
        #expect(try await guardian.run("vol-1", operation: "y") { 1 } == 1)
    }
}
