/// Rewrites the command line so upstream's boolean flag spellings parse: a bare `--leader-elect`
/// means `--leader-elect=true` (Go's pflag never takes the next argument as a boolean's value).
enum CommandLineNormalizer {
    static let booleanFlags: Set<String> = ["leader-elect", "configure-cloud-routes", "allocate-node-cidrs"]

    static func normalize(_ arguments: [String]) -> [String] {
        arguments.map { argument in
            guard argument.hasPrefix("--"), !argument.contains("=") else { return argument }
            return booleanFlags.contains(String(argument.dropFirst(2))) ? argument + "=true" : argument
        }
    }
}
