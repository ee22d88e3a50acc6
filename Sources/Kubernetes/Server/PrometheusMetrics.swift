import CoreMetrics
import Foundation
import Synchronization

/// A swift-metrics backend that keeps every metric in memory and renders the Prometheus text
/// format for `/metrics`. Executables bootstrap it (`MetricsSystem.bootstrap(metrics)`) and hand
/// the same instance to `HealthServer`; libraries only use the swift-metrics API.
///
/// Counters and meters render as counters and gauges; non-aggregating recorders as gauges;
/// aggregating recorders and timers as summaries (`_sum`, `_count`; timers in seconds).
public final class PrometheusMetrics: MetricsFactory, Sendable {
    fileprivate enum Kind: String {
        case counter, gauge, summary
    }

    private struct Identity: Hashable {
        var label: String
        var dimensions: [String]
    }

    final class Cell: CounterHandler, FloatingPointCounterHandler, RecorderHandler, MeterHandler, TimerHandler,
        Sendable
    {
        fileprivate let kind: Kind
        private let scale: Double
        private let values = Mutex<(value: Double, sum: Double, count: Int)>((0, 0, 0))

        fileprivate init(kind: Kind, scale: Double = 1) {
            self.kind = kind
            self.scale = scale
        }

        func increment(by amount: Int64) { increment(by: Double(amount)) }
        func increment(by amount: Double) { values.withLock { $0.value += amount } }
        func reset() { values.withLock { $0 = (0, 0, 0) } }
        func record(_ value: Int64) { record(Double(value)) }
        func record(_ value: Double) {
            values.withLock { values in
                switch kind {
                case .summary:
                    values.sum += value * scale
                    values.count += 1
                default:
                    values.value = value
                }
            }
        }
        func set(_ value: Int64) { set(Double(value)) }
        func set(_ value: Double) { values.withLock { $0.value = value } }
        func decrement(by amount: Double) { values.withLock { $0.value -= amount } }
        func recordNanoseconds(_ duration: Int64) { record(Double(duration)) }

        fileprivate var snapshot: (value: Double, sum: Double, count: Int) { values.withLock { $0 } }
    }

    private let cells = Mutex<[Identity: Cell]>([:])

    public init() {}

    private func cell(_ label: String, _ dimensions: [(String, String)], _ kind: Kind, scale: Double = 1) -> Cell {
        let name = Self.sanitize(label)
        let labels = dimensions.sorted { $0.0 < $1.0 }.map { "\(Self.sanitize($0.0))=\"\(Self.escape($0.1))\"" }
        let identity = Identity(label: name, dimensions: labels)
        return cells.withLock { cells in
            if let existing = cells[identity] { return existing }
            let cell = Cell(kind: kind, scale: scale)
            cells[identity] = cell
            return cell
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        cell(label, dimensions, .counter)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        cell(label, dimensions, .counter)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        cell(label, dimensions, .gauge)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        cell(label, dimensions, aggregate ? .summary : .gauge)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        cell(label, dimensions, .summary, scale: 1e-9)
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        let entries = cells.withLock { $0.map { ($0.key, $0.value) } }
        let grouped = Dictionary(grouping: entries) { $0.0.label }
        var output = ""
        for name in grouped.keys.sorted() {
            let series = grouped[name]!.sorted { $0.0.dimensions.joined() < $1.0.dimensions.joined() }
            output += "# TYPE \(name) \(series[0].1.kind.rawValue)\n"
            for (identity, cell) in series {
                let labels = identity.dimensions.isEmpty ? "" : "{" + identity.dimensions.joined(separator: ",") + "}"
                let snapshot = cell.snapshot
                switch cell.kind {
                case .counter, .gauge:
                    output += "\(name)\(labels) \(Self.format(snapshot.value))\n"
                case .summary:
                    output += "\(name)_sum\(labels) \(Self.format(snapshot.sum))\n"
                    output += "\(name)_count\(labels) \(snapshot.count)\n"
                }
            }
        }
        return output
    }

    static func sanitize(_ name: String) -> String {
        var result = String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
        if let first = result.first, first.isNumber { result = "_" + result }
        return result
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
