import ArgumentParser
import CSIDriver
import MetricsHTTP
import Telemetry

/// The options csi-controller and csi-node share, after their own: the driver name, the metrics
/// address and logging.
public struct PluginOptions<Role: PluginRole>: ParsableArguments {
    @Option(name: .customLong("driver-name"), help: "CSI driver name reported by GetPluginInfo.")
    public var driverName = DriverIdentity.defaultName

    @Option(name: .customLong("metrics-address"), help: ArgumentHelp(Role.metricsAddressHelp))
    public var metricsAddress: String?

    @OptionGroup public var logging: LoggingOptions

    public init() {}

    public func validate() throws {
        if let metricsAddress, (try? ListenAddress(parsing: metricsAddress)) == nil {
            throw ValidationError("--metrics-address must be HOST:PORT, got \"\(metricsAddress)\"")
        }
    }
}
