/// Why a cloud controller could not finish a node (reported as a Warning event and retried).
public struct CloudControllerError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case instanceNotFound, invalidProvidedNodeIP
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No instance carries the node's name or provider ID.
        public static let instanceNotFound = Code(.instanceNotFound)
        /// `alpha.kubernetes.io/provided-node-ip` is not one of the instance's addresses.
        public static let invalidProvidedNodeIP = Code(.invalidProvidedNodeIP)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
