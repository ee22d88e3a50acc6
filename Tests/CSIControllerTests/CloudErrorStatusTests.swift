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
}
