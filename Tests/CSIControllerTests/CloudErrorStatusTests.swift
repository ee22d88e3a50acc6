import CloudAPI
@testable import CSIController
import CSIDriver
import RPC
import Testing

@Suite struct CloudErrorStatusTests {
    @Test(arguments: [
        (CloudError.Code.notFound, StatusCode.notFound), (.conflict, .failedPrecondition),
        (.invalidInput, .invalidArgument), (.busy, .unavailable), (.rateLimited, .unavailable),
        (.unavailable, .unavailable), (.transport, .unavailable), (.timeout, .deadlineExceeded),
        (.unauthorized, .unauthenticated), (.unsupported, .unimplemented), (.invalidResponse, .internal),
    ])
    func cloudErrorsMapToCodesTheSidecarsUnderstand(cloud: CloudError.Code, expected: StatusCode) {
        let status = StatusMapping.status(for: CloudError(code: cloud, status: nil, message: "m", path: "GET /v2/blocks/x"))
        #expect(status.code == expected)
        #expect(status.message.contains("GET /v2/blocks/x"))
    }

    @Test func theControllerMappingSeesCloudErrorsThroughTheOneStatusMapping() {
        let error: any Error = CloudError(code: .conflict, status: 409, message: "attached elsewhere", path: "POST /v2/blocks/b/attach")
        #expect(StatusMapping.status(for: error).code == .failedPrecondition)
    }

    /// An id the client refuses to put in a path (no HTTP status) names nothing: absent. A 400
    /// from the API is not absence. (CloudError's `status` once collided with the RPC status of
    /// StatusConvertible, and this was silently always false.)
    @Test func absenceIsA404OrAnIdTheClientRefused() {
        #expect(CloudError(code: .notFound, status: 404, message: "m", path: "p").meansAbsent)
        #expect(CloudError(code: .invalidInput, status: nil, message: "invalid volume id 'a/b'", path: "").meansAbsent)
        #expect(!CloudError(code: .invalidInput, status: 400, message: "bad size", path: "p").meansAbsent)
        #expect(!CloudError(code: .unavailable, status: 503, message: "m", path: "p").meansAbsent)
    }
}
