@_spi(Fuzzing) import CloudAPI
import Foundation
import FuzzSupport

/// The program's entry (SwiftPM names it after the module): libFuzzer drives ``fuzzCloudResponses``.
@_cdecl("fuzz_cloud_responses_main")
public func fuzzerMain(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { data, size in fuzzCloudResponses(data, size) }
}

/// The fuzzed property: any bytes a cloud API server (or something pretending to be one) sends as
/// a response body or a Retry-After header are read without crashing or hanging.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCloudResponses(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = size == 0 ? Data() : Data(bytes: data!, count: size)
    _ = ResponseDecoding.decodeEveryShape(body)
    if size <= 64, let header = String(data: body, encoding: .utf8) {
        if let delay = ResponseDecoding.retryAfter(header), delay < .zero {
            fatalError("negative Retry-After delay \(delay) from '\(header)'")
        }
    }
    return 0
}
