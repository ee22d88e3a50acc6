import ArgumentParser

/// `--endpoint`, the first option of both CSI plugins.
public struct EndpointOption: ParsableArguments {
    @Option(help: "gRPC endpoint: unix:///ABSOLUTE/PATH (a bare absolute path also works).")
    public var endpoint = "unix:///csi/csi.sock"

    public init() {}
}
