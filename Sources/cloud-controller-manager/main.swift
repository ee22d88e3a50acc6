import ArgumentParser

/// Placeholder until the cloud controller manager lands (issue 7): it parses the contract's flags
/// and says plainly that the controllers are not built yet.
@main
struct CloudControllerManager: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud-controller-manager",
        abstract: "Mooring cloud controller manager — NOT BUILT YET: its controllers arrive with a later release; this binary only parses its flags and exits 1."
    )

    @Option(help: "Path to a kubeconfig file.") var kubeconfig: String?
    @Option(name: .customLong("api-url"), help: "Cloud API base URL.") var apiURL: String?

    mutating func run() throws {
        print("cloud-controller-manager: not built yet — the node, node lifecycle, route and service controllers are not implemented in this version.")
        throw ExitCode(1)
    }
}
