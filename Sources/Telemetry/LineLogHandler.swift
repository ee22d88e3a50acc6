import Logging
import SystemIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler writing one line per message to standard error, as text or JSON.
/// Metadata keys are written as given (dotted, e.g. `volume.id`); JSON values are strings.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public let label: String
    public let format: LogFormat

    public init(label: String, format: LogFormat, logLevel: Logger.Level = .info) {
        self.label = label
        self.format = format
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = render(level: event.level, message: event.message.description, metadata: merged,
                          timestamp: Self.timestamp())
        Self.emit(line)
    }

    func render(level: Logger.Level, message: String, metadata: Logger.Metadata, timestamp: String) -> String {
        let keys = metadata.keys.sorted()
        switch format {
        case .text:
            var line = "\(timestamp) \(level) \(label): \(message)"
            for key in keys { line += " \(key)=\(Self.textValue(metadata[key]!))" }
            return line + "\n"
        case .json:
            var line = "{\"time\":\(JSONText.quote(timestamp)),\"level\":\(JSONText.quote(level.rawValue)),"
                + "\"logger\":\(JSONText.quote(label)),\"msg\":\(JSONText.quote(message))"
            for key in keys where !["time", "level", "logger", "msg"].contains(key) {
                line += ",\(JSONText.quote(key)):\(JSONText.quote(Self.textValue(metadata[key]!)))"
            }
            return line + "}\n"
        }
    }

    private static func textValue(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): "[" + values.map(textValue).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.keys.sorted().map { "\($0)=\(textValue(entries[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// RFC 3339 UTC with milliseconds, from the wall clock, without Foundation.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    private static func emit(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                // A log line that cannot be written (stderr closed) is dropped.
                guard let written = try? Syscall.run("write", { write(2, bytes.baseAddress! + offset, bytes.count - offset) })
                else { return }
                offset += written
            }
        }
    }
}
