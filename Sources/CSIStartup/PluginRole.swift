/// What tells the two CSI plugins' shared options apart: the words of their help texts.
public protocol PluginRole: Sendable {
    /// The help of `--metrics-address`: what this plugin's `/metrics` shows.
    static var metricsAddressHelp: String { get }
}
