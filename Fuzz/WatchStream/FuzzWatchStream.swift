import Foundation
@_spi(Fuzzing) import Kubernetes
import FuzzSupport

/// The program's entry (SwiftPM names it after the module): libFuzzer drives ``fuzzWatchStream``.
@_cdecl("fuzz_watch_stream_main")
public func fuzzerMain(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { data, size in fuzzWatchStream(data, size) }
}

/// The fuzzed property: a watch response body, cut into chunks at fuzzer-chosen places, is split
/// into frames and decoded as Node events without crashing; the frames do not depend on where
/// the chunks were cut; every JSON document the parser accepts serializes to JSON it reads back
/// as the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWatchStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first byte picks the chunk size; the rest is the body.
    let chunk = Int(bytes[0] % 16) + 1
    let body = bytes.dropFirst()

    let whole = frames(of: body, chunk: body.count + 1)
    let cut = frames(of: body, chunk: chunk)
    guard whole == cut else { fatalError("frames differ between chunk sizes \(body.count + 1) and \(chunk)") }

    for frame in cut {
        _ = try? WatchEventStream<Node>.Iterator.decode(frame)
        if let value = try? JSONCoding.decode(frame) {
            guard let text = try? JSONCoding.encode(value) else { fatalError("parsed JSON does not serialize") }
            guard let again = try? JSONCoding.decode(text) else {
                fatalError("serialized JSON does not parse: \(String(decoding: text, as: UTF8.self))")
            }
            guard again == value else { fatalError("JSON round trip changed the value") }
        }
    }
    return 0
}

private func frames(of body: ArraySlice<UInt8>, chunk: Int) -> [Data] {
    var splitter = WatchFrameSplitter()
    var out: [Data] = []
    var index = body.startIndex
    while index < body.endIndex {
        let end = min(index + chunk, body.endIndex)
        splitter.append(body[index..<end])
        while let frame = try? splitter.nextFrame() { out.append(frame) }
        index = end
    }
    if let last = splitter.finish() { out.append(last) }
    return out
}
