/// Pagination for ListVolumes/ListSnapshots: the token is the decimal offset of the next entry
/// in the id-sorted list. Anything else (or an offset past the end) is `ABORTED`, as the CSI spec
/// asks for a token the plugin cannot use.
public enum PageToken {
    public static func page<T>(_ sorted: [T], maxEntries: Int32, startingToken: String) throws(DriverError) -> (items: ArraySlice<T>, next: String) {
        guard maxEntries >= 0 else { throw .invalidArgument("max_entries must not be negative, got \(maxEntries)") }
        var start = 0
        if !startingToken.isEmpty {
            guard let offset = Int(startingToken), offset >= 0, offset <= sorted.count else {
                throw .aborted("starting_token \"\(startingToken)\" is not a token this plugin issued (or the list shrank past it)")
            }
            start = offset
        }
        let end = maxEntries == 0 ? sorted.count : min(sorted.count, start + Int(maxEntries))
        return (sorted[start..<end], end < sorted.count ? String(end) : "")
    }
}
