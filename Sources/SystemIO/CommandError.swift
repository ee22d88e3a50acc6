/// A command that failed: the command line, why (exit status, timeout, not startable) and the
/// program's standard error, trimmed.
public struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case exited(Int32)
        case timedOut(Duration)
        case notFound(String)
        case system(String, Int32)
    }

    public let command: [String]
    public let reason: Reason
    public let stderr: String

    public init(command: [String], reason: Reason, stderr: String) {
        self.command = command
        self.reason = reason
        self.stderr = stderr
    }

    public var description: String {
        let line = command.joined(separator: " ")
        let detail = stderr.split(whereSeparator: \.isNewline).map { trimmedSpaces($0) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        let tail = detail.isEmpty ? "" : ": \(detail)"
        switch reason {
        case .exited(let status): return "\(line) exited with status \(status)\(tail)"
        case .timedOut(let limit): return "\(line) did not finish within \(limit) and was killed\(tail)"
        case .notFound(let path): return "\(command[0]) is not installed (searched \(path))"
        case .system(let call, let code): return "\(line): \(call) failed: \(SystemError(call, code: code).reason)"
        }
    }
}
