/// A duration written the way Go's `time.ParseDuration` reads it (`5m0s`, `10s`, `1h30m`,
/// `500ms`, `1.5s`), as the upstream cloud-provider flags take them.
public struct GoDuration: Hashable, Sendable, CustomStringConvertible {
    public let duration: Duration

    public init(_ duration: Duration) {
        self.duration = duration
    }

    /// Parses a sequence of decimal numbers each with a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`,
    /// `h`); `0` alone is allowed. Returns nil for anything else, and for negative durations.
    public init?(parsing text: String) {
        if text == "0" {
            duration = .zero
            return
        }
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var rest = Substring(text)
        var nanoseconds = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            nanoseconds += value * unit.1
        }
        guard nanoseconds < 9.2e18 else { return nil }
        duration = .nanoseconds(Int64(nanoseconds.rounded()))
    }

    /// Go's `Duration.String()` form: `5m0s`, `10s`, `1h30m0s`, `500ms`.
    public var description: String {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if total == 0 { return "0s" }
        if total < 1_000_000_000 {
            if total % 1_000_000 == 0 { return "\(total / 1_000_000)ms" }
            if total % 1_000 == 0 { return "\(total / 1_000)µs" }
            return "\(total)ns"
        }
        let hours = total / 3_600_000_000_000
        let minutes = total / 60_000_000_000 % 60
        let nanos = total % 60_000_000_000
        var secondsText = "\(nanos / 1_000_000_000)"
        if nanos % 1_000_000_000 != 0 {
            var fraction = String(nanos % 1_000_000_000)
            fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            secondsText += "." + fraction
        }
        var out = ""
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        return out + secondsText + "s"
    }
}
