import Foundation
@_spi(Fuzzing) import Kubernetes
import Testing

@Suite struct WatchFrameSplitterTests {
    private func frames(_ chunks: [String], finish: Bool = true) throws -> [String] {
        var splitter = WatchFrameSplitter()
        var out: [String] = []
        for chunk in chunks {
            splitter.append(Array(chunk.utf8))
            while let frame = try splitter.nextFrame() { out.append(String(decoding: frame, as: UTF8.self)) }
        }
        if finish, let last = splitter.finish() { out.append(String(decoding: last, as: UTF8.self)) }
        return out
    }

    @Test func framesDoNotDependOnChunkBoundaries() throws {
        let body = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n"
        let whole = try frames([body])
        #expect(whole == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        for size in 1...9 {
            var chunks: [String] = []
            var rest = Substring(body)
            while !rest.isEmpty {
                chunks.append(String(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            #expect(try frames(chunks) == whole, "chunk size \(size)")
        }
    }

    @Test func blankLinesAndCarriageReturnsAreSkipped() throws {
        #expect(try frames(["\n\r\n  \n{\"a\":1}\r\n\n"]) == ["{\"a\":1}\r"])
    }

    @Test func aLastFrameWithoutNewlineIsKeptOnlyAtTheEnd() throws {
        #expect(try frames(["{\"a\":1}\n{\"b\""], finish: false) == ["{\"a\":1}"])
        #expect(try frames(["{\"a\":1}\n{\"b\"", ":2}"]) == ["{\"a\":1}", "{\"b\":2}"])
    }

    @Test func anEndlessLineIsAnErrorNotUnboundedMemory() throws {
        var splitter = WatchFrameSplitter()
        let megabyte = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        var failure: KubernetesError?
        for _ in 0..<(WatchFrameSplitter.maximumFrameBytes >> 20) + 1 {
            splitter.append(megabyte)
            do { _ = try splitter.nextFrame() } catch { failure = error; break }
        }
        #expect(failure?.code == .decoding)
    }
}
