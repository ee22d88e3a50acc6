/// Why a kubeconfig or in-cluster configuration could not be loaded.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, so one run reports them all.
    public var problems: [String]
    /// The file concerned, when there is one.
    public var path: String?

    public init(_ problems: [String], path: String? = nil) {
        self.problems = problems
        self.path = path
    }

    public init(_ problem: String, path: String? = nil) {
        self.init([problem], path: path)
    }

    public var description: String {
        let prefix = path.map { "kubeconfig \($0): " } ?? "Kubernetes configuration: "
        return prefix + problems.joined(separator: "; ")
    }
}
