import Foundation

/// The `--controllers` list: `*` for every controller on by default, a name to turn one on,
/// `-name` to turn one off (`*,-route`). Unknown names are errors.
public struct ControllerSelection: Hashable, Sendable {
    public let enabled: [String]

    /// - Parameters:
    ///   - list: the flag's values, each possibly comma-separated.
    ///   - known: every controller name, in start order.
    ///   - disabledByDefault: names `*` does not include.
    public init(parsing list: [String], known: [String], disabledByDefault: Set<String> = []) throws(ControllerSelectionError) {
        let items = list.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var star = false
        var on: Set<String> = []
        var off: Set<String> = []
        var unknown: [String] = []
        for item in items {
            if item == "*" {
                star = true
                continue
            }
            let disable = item.hasPrefix("-")
            let name = disable ? String(item.dropFirst()) : item
            guard known.contains(name) else {
                unknown.append(item)
                continue
            }
            if disable { off.insert(name) } else { on.insert(name) }
        }
        guard unknown.isEmpty else { throw ControllerSelectionError(unknown: unknown, known: known) }
        enabled = known.filter { name in
            if off.contains(name) { return false }
            return on.contains(name) || (star && !disabledByDefault.contains(name))
        }
    }

    public func isEnabled(_ name: String) -> Bool { enabled.contains(name) }
}

/// `--controllers` named something that is not a controller.
public struct ControllerSelectionError: Error, Hashable, Sendable, CustomStringConvertible {
    public let unknown: [String]
    public let known: [String]

    public var description: String {
        "--controllers: unknown controller \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); "
            + "known: \(known.joined(separator: ", ")) (\"*\" for all, \"-name\" to disable one)"
    }
}
