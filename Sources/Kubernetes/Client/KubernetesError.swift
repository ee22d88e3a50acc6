/// An error from the Kubernetes API or from reaching it, classified by HTTP status (never by
/// message text). Codes are static members so new ones can be added without breaking callers.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case badRequest, unauthorized, forbidden, notFound, methodNotAllowed, conflict, alreadyExists, gone
            case invalid, tooManyRequests, internalError, serviceUnavailable, timeout, unexpectedStatus
            case transport, decoding
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// 400.
        public static let badRequest = Code(.badRequest)
        /// 401.
        public static let unauthorized = Code(.unauthorized)
        /// 403.
        public static let forbidden = Code(.forbidden)
        /// 404.
        public static let notFound = Code(.notFound)
        /// 405.
        public static let methodNotAllowed = Code(.methodNotAllowed)
        /// 409 for a stale `resourceVersion` or failed precondition.
        public static let conflict = Code(.conflict)
        /// 409 with reason `AlreadyExists` (a create of an existing name).
        public static let alreadyExists = Code(.alreadyExists)
        /// 410: the requested resourceVersion is too old; relist.
        public static let gone = Code(.gone)
        /// 422.
        public static let invalid = Code(.invalid)
        /// 429; `retryAfter` carries the server's `Retry-After`.
        public static let tooManyRequests = Code(.tooManyRequests)
        /// 500.
        public static let internalError = Code(.internalError)
        /// 503.
        public static let serviceUnavailable = Code(.serviceUnavailable)
        /// 504, or a server-side timeout.
        public static let timeout = Code(.timeout)
        /// Any other non-2xx status.
        public static let unexpectedStatus = Code(.unexpectedStatus)
        /// The request never got an HTTP answer (connection refused, reset, TLS, client timeout).
        public static let transport = Code(.transport)
        /// The answer was not the JSON expected.
        public static let decoding = Code(.decoding)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// HTTP status, when there was an HTTP answer.
    public var httpStatus: Int?
    public var message: String
    /// From `Retry-After` (or the Status object's `retryAfterSeconds`).
    public var retryAfter: Duration?
    /// The API's `Status` object, when it sent one.
    public var status: APIStatus?
    public var underlying: (any Error)?

    public init(
        code: Code, httpStatus: Int? = nil, message: String, retryAfter: Duration? = nil,
        status: APIStatus? = nil, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.httpStatus = httpStatus
        self.message = message
        self.retryAfter = retryAfter
        self.status = status
        self.underlying = underlying
    }

    public var description: String {
        var text = "Kubernetes API error \(code)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        return text + ": " + message
    }

    /// The code for an HTTP status; `reason` splits 409 into conflict and already-exists.
    public static func code(forHTTPStatus status: Int, reason: String?) -> Code {
        switch status {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 405: return .methodNotAllowed
        case 409: return reason == "AlreadyExists" ? .alreadyExists : .conflict
        case 410: return .gone
        case 422: return .invalid
        case 429: return .tooManyRequests
        case 500: return .internalError
        case 503: return .serviceUnavailable
        case 504: return .timeout
        default: return .unexpectedStatus
        }
    }
}

extension Error {
    /// `true` when this is a `KubernetesError` with `code`.
    public func isKubernetesError(_ code: KubernetesError.Code) -> Bool {
        (self as? KubernetesError)?.code == code
    }
}
