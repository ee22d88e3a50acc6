import CSI
import FuzzSupport

/// The program's entry (SwiftPM names it after the module): libFuzzer drives ``fuzzCSIMessages``.
@_cdecl("fuzz_csi_messages_main")
public func fuzzerMain(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { data, size in fuzzCSIMessages(data, size) }
}

/// The fuzzed property: every CSI request and response type decodes arbitrary bytes without
/// crashing, and whatever decodes survives a round trip (decode → encode → decode gives the same
/// value, and encoding that value again gives the same bytes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSIMessages(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    var visitor = RoundTrip(bytes: bytes)
    CSIService.visitAll(&visitor)
    return 0
}

struct RoundTrip: CSIMethodVisitor {
    let bytes: [UInt8]

    mutating func visit<Request: CSIMessage, Response: CSIMessage>(_ method: CSIMethod<Request, Response>) {
        check(Request.self)
        check(Response.self)
    }

    private func check<Message: CSIMessage>(_ type: Message.Type) {
        guard let decoded = try? Message(serializedBytes: bytes) else { return }
        let encoded = decoded.serializedBytes()
        guard let again = try? Message(serializedBytes: encoded) else {
            fatalError("\(Message.self): its own encoding does not decode")
        }
        guard again == decoded else { fatalError("\(Message.self): round trip changed the value") }
        guard again.serializedBytes() == encoded else { fatalError("\(Message.self): encoding is not stable") }
    }
}
