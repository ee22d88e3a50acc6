/// An error from the provider API, classified by HTTP status (never by message text).
///
/// Compare ``code`` against the static members of ``Code``; codes can be added without breaking
/// callers. ``status`` is the HTTP status when the API answered; ``message`` is the API's own
/// explanation (or the transport's); ``path`` is the request, e.g. `POST /v2/blocks`. None of
/// them ever carries the API key.
public struct CloudError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notFound, conflict, invalidInput, busy, rateLimited, unavailable, unauthorized
            case unsupported, timeout, transport, invalidResponse, unexpected
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// 404: the resource does not exist (confirmed by the API).
        public static let notFound = Code(.notFound)
        /// 409: the request conflicts with the resource's state (e.g. attached elsewhere, attach limit).
        public static let conflict = Code(.conflict)
        /// 400/422: the API rejected the request's input; ``CloudError/message`` says why.
        public static let invalidInput = Code(.invalidInput)
        /// 412/423: the resource is busy or locked (e.g. still pending); try again later.
        public static let busy = Code(.busy)
        /// 429 after all retries.
        public static let rateLimited = Code(.rateLimited)
        /// 5xx (other than 501) after all retries.
        public static let unavailable = Code(.unavailable)
        /// 401/403: the API key is missing, wrong or lacks permission.
        public static let unauthorized = Code(.unauthorized)
        /// 501: the backend does not implement this call.
        public static let unsupported = Code(.unsupported)
        /// A request, or a wait for a state, ran out of time.
        public static let timeout = Code(.timeout)
        /// The connection failed (refused, reset, closed) after all retries.
        public static let transport = Code(.transport)
        /// The API answered with something that could not be understood.
        public static let invalidResponse = Code(.invalidResponse)
        /// Any other status.
        public static let unexpected = Code(.unexpected)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// HTTP status, when the API answered.
    public let status: Int?
    public let message: String
    /// Method and path of the request, e.g. `GET /v2/blocks/abc` (no query, no host).
    public let path: String

    public init(code: Code, status: Int? = nil, message: String, path: String) {
        self.code = code
        self.status = status
        self.message = message
        self.path = path
    }

    public var description: String {
        "\(code)\(status.map { " (HTTP \($0))" } ?? ""): \(message) [\(path)]"
    }

    /// Classification of a non-2xx HTTP status.
    static func code(forStatus status: Int) -> Code {
        switch status {
        case 400, 413, 422: .invalidInput
        case 401, 403: .unauthorized
        case 404: .notFound
        case 409: .conflict
        case 412, 423: .busy
        case 429: .rateLimited
        case 501: .unsupported
        case 500...599: .unavailable
        default: .unexpected
        }
    }

    /// Whether a status is worth retrying: 429 and 5xx except 501.
    static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status) && status != 501
    }
}
