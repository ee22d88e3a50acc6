import ArgumentParser
import Logging

/// `--log-format` and `--log-level`, the logging flags every Mooring executable takes, spelled and
/// defaulted once. An executable includes them with `@OptionGroup` and calls `bootstrap()` before
/// anything logs.
public struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-format"), help: "Log line format: text or json.")
    public var format: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "Lowest log level written: trace, debug, info, notice, warning, error, critical.")
    public var level: Logger.Level = .info

    public init() {}

    /// Installs the process-wide log handler these flags describe.
    public func bootstrap() {
        format.bootstrap(level: level)
    }
}
