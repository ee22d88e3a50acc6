import Logging

/// How a Mooring process writes its log lines: `text` for people, `json` (one object per line)
/// for log collectors. Executables take it from `--log-format` and call `bootstrap` once.
public enum LogFormat: String, CaseIterable, Sendable {
    case text
    case json

    /// Installs the process-wide log handler writing to standard error at `level` and above.
    public func bootstrap(level: Logger.Level = .info) {
        let format = self
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, format: format, logLevel: level)
        }
    }
}
