import Foundation

/// Random faults the local cloud injects into `/v2` calls, parsed from a spec such as
/// `error_rate=0.1,throttle_rate=0.05,drop_after_commit_rate=0.03,latency_ms=50`.
public struct FaultSpec: Sendable, Equatable {
    /// Share of calls answered 500 before anything happens.
    public var errorRate: Double = 0
    /// Share of calls answered 429 (with `Retry-After`) before anything happens.
    public var throttleRate: Double = 0
    /// Share of calls carried out and committed whose response is then dropped (connection closed).
    public var dropAfterCommitRate: Double = 0
    /// Delay added before every call is handled.
    public var latencyMilliseconds: Int = 0

    public init(
        errorRate: Double = 0, throttleRate: Double = 0, dropAfterCommitRate: Double = 0,
        latencyMilliseconds: Int = 0
    ) {
        self.errorRate = errorRate
        self.throttleRate = throttleRate
        self.dropAfterCommitRate = dropAfterCommitRate
        self.latencyMilliseconds = latencyMilliseconds
    }

    /// Parses `key=value` pairs separated by commas; an empty spec means no faults.
    public init(parsing spec: String) throws(FaultSpecError) {
        for pair in spec.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2 else { throw FaultSpecError("expected key=value, got '\(pair)'") }
            let (key, value) = (parts[0], parts[1])
            switch key {
            case "error_rate": errorRate = try Self.rate(key, value)
            case "throttle_rate": throttleRate = try Self.rate(key, value)
            case "drop_after_commit_rate": dropAfterCommitRate = try Self.rate(key, value)
            case "latency_ms":
                guard let ms = Int(value), ms >= 0 else {
                    throw FaultSpecError("latency_ms must be a non-negative integer, got '\(value)'")
                }
                latencyMilliseconds = ms
            default:
                throw FaultSpecError(
                    "unknown fault '\(key)' (known: error_rate, throttle_rate, drop_after_commit_rate, latency_ms)")
            }
        }
    }

    private static func rate(_ key: String, _ value: String) throws(FaultSpecError) -> Double {
        guard let rate = Double(value), rate >= 0, rate <= 1 else {
            throw FaultSpecError("\(key) must be a number between 0 and 1, got '\(value)'")
        }
        return rate
    }
}
