/// Why leader election stopped the work it guarded.
public struct LeaderElectionError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case lost }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The lease could not be renewed within the renew deadline, or another instance took it.
        public static let lost = Code(.lost)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "leader election \(code): \(message)" }
}
