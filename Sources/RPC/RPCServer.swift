import CGRPC
import Synchronization
import SystemIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A gRPC server for unary methods on gRPC core.
///
/// Register handlers, `start()`, and later `shutdown(grace:)`. Each call's handler runs in its own
/// task, so calls never wait for one another; the task starts on the completion-queue thread and
/// stays there until it first suspends, so handlers must not block: blocking work goes through
/// `Blocking.run`.
/// Unknown methods answer `UNIMPLEMENTED`; a thrown `RPCError` becomes its status; any other
/// error goes through `Configuration.mapError` (by default `INTERNAL` with the error's text).
public final class RPCServer: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var endpoint: Endpoint
        /// Mode of the Unix socket file: owner and group may connect, others may not.
        public var socketMode: mode_t = 0o660
        /// Calls requested from gRPC core ahead of arrival; more arrivals queue inside the core.
        public var callsRequestedAhead = 64
        /// Threads draining the completion queue (they also drive gRPC core's I/O). One is
        /// enough: its closures only hand work to tasks. Measured on csi-node (4 clients,
        /// GetPluginInfo): with two, they contend for the queue's poller, 5.4–6.1 context
        /// switches per call; with one, 2.8, and less server CPU per call.
        public var completionThreads = 1
        /// Status for an error that is not an `RPCError`.
        public var mapError: @Sendable (any Error) -> RPCError = { error in
            RPCError(.internal, String(describing: error))
        }
        /// Called once per finished call with its method, code and duration (logs, metrics).
        public var observer: (@Sendable (CallRecord) -> Void)?

        public init(endpoint: Endpoint) {
            self.endpoint = endpoint
        }
    }

    private enum Phase { case idle, serving, stopping, stopped }

    private struct State {
        var phase = Phase.idle
        var handlers: [String: UnaryHandler] = [:]
        var liveCalls = 0
        var drained: OneShot<Void>?
    }

    public let configuration: Configuration
    private let state = Mutex(State())
    /// Frozen copy of the handler table once serving, read lock-free on every call.
    private var handlers: [String: UnaryHandler] = [:]
    private var core: OpaquePointer?
    private var queue: CompletionQueue?

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Registers a unary method under its full path (`/package.Service/Method`). Only before start.
    public func register(_ method: String, _ handler: @escaping UnaryHandler) {
        state.withLock { state in
            precondition(state.phase == .idle, "register handlers before starting the server")
            state.handlers[method] = handler
        }
    }

    /// Binds the endpoint and starts serving. Throws when the endpoint cannot be bound (path not
    /// creatable, another live server on the socket, port in use).
    public func start() throws(RPCError) {
        let table = try state.withLock { state throws(RPCError) -> [String: UnaryHandler] in
            guard state.phase == .idle else { throw RPCError(.failedPrecondition, "server already started") }
            state.phase = .serving
            return state.handlers
        }
        handlers = table
        do {
            try bind()
        } catch {
            state.withLock { $0.phase = .stopped }
            throw error
        }
    }

    private func bind() throws(RPCError) {
        GRPCCore.ensureInitialised()

        if case .unix(let path) = configuration.endpoint {
            try SocketFile.prepare(path)
        }
        let queue = CompletionQueue(name: "grpc-server", threads: configuration.completionThreads)
        guard let core = grpc_server_create(nil, nil) else {
            throw RPCError(.internal, "grpc_server_create failed")
        }
        grpc_server_register_completion_queue(core, queue.queue, nil)
        let credentials = grpc_insecure_server_credentials_create()
        // Bind with a umask that already yields the socket mode, so the socket is never
        // reachable with wider permissions; chmod afterwards makes it exact.
        let oldMask = umask(~configuration.socketMode & 0o777)
        let bound = grpc_server_add_http2_port(core, configuration.endpoint.coreAddress, credentials)
        umask(oldMask)
        grpc_server_credentials_release(credentials)
        guard bound != 0 else {
            grpc_server_destroy(core)
            queue.shutdownAndWait()
            throw RPCError(.unavailable, "cannot listen on \(configuration.endpoint)")
        }
        if case .tcp = configuration.endpoint { boundPort = Int(bound) }
        grpc_server_start(core)
        self.core = core
        self.queue = queue
        if case .unix(let path) = configuration.endpoint {
            try SocketFile.restrict(path, mode: configuration.socketMode)
        }
        for _ in 0..<max(1, configuration.callsRequestedAhead) {
            requestCall()
        }
    }

    /// True between a successful `start()` and the beginning of shutdown.
    public var isServing: Bool { state.withLock { $0.phase == .serving } }

    /// The TCP port actually bound (useful with port 0 in tests); nil for Unix sockets.
    public private(set) var boundPort: Int?

    /// Stops accepting calls, lets in-flight calls finish for up to `grace`, cancels the rest,
    /// and releases the socket. Safe to call more than once; later calls wait for the first.
    public func shutdown(grace: Duration) async {
        let drained = OneShot<Void>()
        let firstCaller = state.withLock { state -> Bool in
            guard state.phase == .serving else { return false }
            state.phase = .stopping
            state.drained = drained
            return true
        }
        guard firstCaller, let core, let queue else {
            if let other = state.withLock({ $0.drained }) { await other.value() }
            return
        }

        let notified = OneShot<Void>()
        grpc_server_shutdown_and_notify(core, queue.queue, queue.tag { _ in notified.fulfil(()) })
        // Whichever comes first: every call done, or the grace period over (then cancel the rest).
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await notified.value(); return true }
            group.addTask {
                do { try await Task.sleep(for: grace) } catch { return true }
                return false
            }
            if await group.next() == false { grpc_server_cancel_all_calls(core) }
            group.cancelAll()
        }
        await notified.value()
        // Core has let go of every call; wait for our handlers to hand in their last batches too.
        let waitForCalls = state.withLock { state -> Bool in state.liveCalls > 0 }
        if waitForCalls { await drainedCalls.value() }

        grpc_server_destroy(core)
        await Blocking.run { queue.shutdownAndWait() }
        if case .unix(let path) = configuration.endpoint {
            SocketFile.remove(path)
        }
        state.withLock { $0.phase = .stopped }
        drained.fulfil(())
    }

    private let drainedCalls = OneShot<Void>()

    // MARK: - Called by ServerCall

    func handler(for method: String) -> UnaryHandler? {
        handlers[method]
    }

    func status(for error: any Error) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(.cancelled, "the call was cancelled") }
        return configuration.mapError(error)
    }

    func callFinished(_ record: CallRecord) {
        let last = state.withLock { state -> Bool in
            state.liveCalls -= 1
            return state.liveCalls == 0 && state.phase == .stopping
        }
        configuration.observer?(record)
        if last { drainedCalls.fulfil(()) }
    }

    private func requestCall() {
        guard let core, let queue else { return }
        let call = ServerCall(server: self, queue: queue)
        // A strong capture: every requested call's tag comes back (with ok == false once shutdown
        // starts), so the server is released when the last one does. A weak capture would give
        // the server a weak-reference side table that valgrind cannot see through.
        _ = call.request(on: core) { call, ok in
            guard ok else { return }
            let serving = self.state.withLock { state -> Bool in
                state.liveCalls += 1
                return state.phase == .serving
            }
            if serving { self.requestCall() }
            call.begin()
        }
    }
}
