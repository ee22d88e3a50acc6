import CoreMetrics
import Synchronization

/// A swift-metrics backend that keeps every metric in memory and renders it in the Prometheus
/// text format for `/metrics`. Counters are counters; recorders are gauges (the last value);
/// timers are summaries without quantiles (`_count` and `_sum` in seconds); histograms, made
/// directly with ``makeHistogram(label:dimensions:buckets:)``, are histograms. A metric asked for
/// twice with the same label and dimensions is the same metric.
public final class PrometheusRegistry: MetricsFactory, Sendable {
    private struct Key: Hashable, Comparable {
        var label: String
        var dimensions: [String]

        static func < (a: Key, b: Key) -> Bool {
            (a.label, a.dimensions.joined(separator: "\u{0}")) < (b.label, b.dimensions.joined(separator: "\u{0}"))
        }
    }

    private enum Kind: String { case counter, gauge, summary }

    private final class Value: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let kind: Kind
        /// counter/gauge value, or the summary's sum of seconds.
        private let state = Mutex<(value: Double, count: Int64)>((0, 0))

        init(kind: Kind) { self.kind = kind }

        func increment(by amount: Int64) { state.withLock { $0.value += Double(amount) } }
        func reset() { state.withLock { $0 = (0, 0) } }
        func record(_ value: Int64) { record(Double(value)) }
        func record(_ value: Double) { state.withLock { $0.value = value } }
        func recordNanoseconds(_ duration: Int64) {
            state.withLock { $0.value += Double(duration) / 1e9; $0.count += 1 }
        }
        var snapshot: (value: Double, count: Int64) { state.withLock { $0 } }
    }

    private let metrics = Mutex<[Key: Value]>([:])
    private let histograms = Mutex<[Key: Histogram]>([:])

    public init() {}

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> Key {
        Key(label: name(label), dimensions: dimensions.map { "\(name($0.0))=\"\(escape($0.1))\"" })
    }

    private func value(_ label: String, _ dimensions: [(String, String)], _ kind: Kind) -> Value {
        let key = Self.key(label, dimensions)
        return metrics.withLock { metrics in
            if let existing = metrics[key] { return existing }
            let created = Value(kind: kind)
            metrics[key] = created
            return created
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        value(label, dimensions, .counter)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        value(label, dimensions, .gauge)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        value(label, dimensions, .summary)
    }

    /// The histogram `label{dimensions}` with upper bounds `buckets` (made on first request; a
    /// later request gets the same one, with its original buckets).
    public func makeHistogram(label: String, dimensions: [(String, String)], buckets: [Double]) -> Histogram {
        let key = Self.key(label, dimensions)
        return histograms.withLock { histograms in
            if let existing = histograms[key] { return existing }
            let created = Histogram(bounds: buckets)
            histograms[key] = created
            return created
        }
    }

    // Metrics live for the process: destroying a handle keeps what it counted.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        let entries = metrics.withLock { $0.sorted { $0.key < $1.key } }
        var out = ""
        var typed = Set<String>()
        for (key, value) in entries {
            if typed.insert(key.label).inserted { out += "# TYPE \(key.label) \(value.kind.rawValue)\n" }
            let labels = key.dimensions.isEmpty ? "" : "{\(key.dimensions.joined(separator: ","))}"
            let snapshot = value.snapshot
            switch value.kind {
            case .counter, .gauge:
                out += "\(key.label)\(labels) \(Self.number(snapshot.value))\n"
            case .summary:
                out += "\(key.label)_count\(labels) \(snapshot.count)\n"
                out += "\(key.label)_sum\(labels) \(Self.number(snapshot.value))\n"
            }
        }
        for (key, histogram) in histograms.withLock({ $0.sorted { $0.key < $1.key } }) {
            if typed.insert(key.label).inserted { out += "# TYPE \(key.label) histogram\n" }
            let labels = key.dimensions.isEmpty ? "" : "{\(key.dimensions.joined(separator: ","))}"
            let prefix = key.dimensions.map { $0 + "," }.joined()
            let snapshot = histogram.snapshot
            var cumulative: Int64 = 0
            for (index, count) in snapshot.counts.enumerated() {
                cumulative += count
                let bound = index < histogram.bounds.count ? Self.number(histogram.bounds[index]) : "+Inf"
                out += "\(key.label)_bucket{\(prefix)le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "\(key.label)_sum\(labels) \(Self.number(snapshot.sum))\n"
            out += "\(key.label)_count\(labels) \(snapshot.count)\n"
        }
        return out
    }

    /// A valid metric or label name: anything outside `[a-zA-Z0-9_:]` becomes `_`.
    static func name(_ raw: String) -> String {
        let mapped = raw.unicodeScalars.map { scalar -> Character in
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "_" || scalar == ":"
            return ok ? Character(scalar) : "_"
        }
        let name = String(mapped)
        return name.first.map { $0.isNumber } == true ? "_" + name : name
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
