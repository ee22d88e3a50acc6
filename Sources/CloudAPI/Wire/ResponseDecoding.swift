#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// Every way the client reads what a server sent, behind one entry point: the fuzzer
/// (`Fuzz/CloudResponses`) and its regression tests drive it with arbitrary bytes. Not API.
@_spi(Fuzzing) public enum ResponseDecoding {
    /// Decodes `body` as each response shape the client reads (single resource, page, metadata
    /// document, error body) and maps what decodes to its domain type, exactly as the client
    /// does. Returns how many shapes accepted the bytes. Malformed input is the normal case here
    /// and is not an error; a crash or a hang is a bug.
    public static func decodeEveryShape(_ body: Data) -> Int {
        var accepted = 0
        func count(_ ok: Bool) { if ok { accepted += 1 } }
        count(decodes(BlockWire.self, body) { _ = $0.volume })
        count(decodes(InstanceWire.self, body) { _ = $0.instance })
        count(decodes(SnapshotWire.self, body) { _ = $0.snapshot })
        count(decodes(RouteWire.self, body) { _ = $0.route })
        count(decodes(LoadBalancerWire.self, body) { _ = try? $0.loadBalancer() })
        count(decodes(BareMetalWire.self, body) { _ = $0.instance(vpcAddress: nil) })
        count(decodes(BareMetalVPCWire.self, body) { _ = $0.ipAddress })
        // VFS and their attachments come bare from create, get and update, enveloped in lists.
        count(decodes(FileSystemWire.self, body, bare: { _ in true }) { _ = $0.fileSystem })
        count(decodes(FileSystemAttachmentWire.self, body, bare: { $0.vfsId != nil || $0.targetId != nil }) {
            _ = $0.attachment(fileSystemID: "vfs")
        })
        // Every metadata field is optional: only a document naming an instance counts.
        if let wire = try? JSONDecoder().decode(MetadataWire.self, from: body), wire.metadata != nil {
            accepted += 1
        }
        if HTTPTransport.apiMessage(ByteBuffer(bytes: body)) != nil { accepted += 1 }
        return accepted
    }

    /// The client's reading of a `Retry-After` header value.
    public static func retryAfter(_ header: String) -> Duration? {
        HTTPTransport.retryAfter(header)
    }

    /// Single and page forms of one resource (and the bare item, for resources sent without an envelope, counted when `bare` says it names one); `map` runs the client's conversion on each item.
    private static func decodes<Item: WireResource>(
        _ type: Item.Type, _ body: Data, bare: ((Item) -> Bool)? = nil, _ map: (Item) -> Void
    ) -> Bool {
        var ok = false
        if let bare, let item = try? WireCoding.decoder.decode(Item.self, from: body) {
            map(item)
            ok = bare(item)
        }
        if let single = try? WireCoding.decoder.decode(WireSingle<Item>.self, from: body) {
            map(single.item)
            ok = true
        }
        if let page = try? WireCoding.decoder.decode(WirePage<Item>.self, from: body) {
            page.items.forEach(map)
            _ = page.nextCursor
            ok = true
        }
        return ok
    }
}
