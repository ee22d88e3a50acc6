import ArgumentParser
import CSIDriver
import Logging
import MetricsHTTP
import Telemetry

/// The options csi-controller and csi-node share, after their own: the driver name, the metrics
/// address and logging.
public struct PluginOptions<Role: PluginRole>: ParsableArguments {
    @Option(name: .customLong("driver-name"), help: "CSI driver name reported by GetPluginInfo.")
    public var driverName = DriverIdentity.defaultName

    @Option(name: .customLong("metrics-address"), help: ArgumentHelp(Role.metricsAddressHelp))
    public var metricsAddress: String?

    @Option(name: .customLong("log-format"), help: "Log line format: text or json.")
    public var logFormat: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "Lowest log level written: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: Logger.Level = .info

    public init() {}

    public func validate() throws {
        if let metricsAddress, (try? ListenAddress(parsing: metricsAddress)) == nil {
            throw ValidationError("--metrics-address must be HOST:PORT, got \"\(metricsAddress)\"")
        }
    }
}
