/// Text cut to a byte budget on a character boundary, saying how much was cut. Status messages
/// and log lines often quote the request (an id, a name, a path), so a hostile request must not
/// be able to make them unbounded: peers drop `grpc-message` trailers over 8–16 KiB, and a
/// 1 MiB log line per call floods the logs.
public enum BoundedText {
    /// `text` when it fits in `limit` UTF-8 bytes; else its longest prefix that leaves room for
    /// the note `… (N bytes cut)`, so the result never exceeds `limit`.
    public static func cut(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let budget = max(0, limit - 32)
        var end = text.startIndex
        var used = 0
        for index in text.indices {
            let size = text[index].utf8.count
            guard used + size <= budget else { break }
            used += size
            end = text.index(after: index)
        }
        return "\(text[..<end])… (\(text.utf8.count - used) bytes cut)"
    }
}
