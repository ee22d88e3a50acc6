// rpc-testserver --endpoint unix:///PATH
//
// Serves test methods under /mooring.test.Test/ for the interop tests and benchmarks:
//   Echo    returns the request
//   Sleep   request "MS": waits MS milliseconds without blocking a thread, then "slept"
//   Block   request "MS": blocks a dedicated thread MS milliseconds (like mount), then "blocked"
//   Fail    request "CODE message": answers that status
//   Throw   throws an error that is not an RPCError (→ INTERNAL with the cause)
//   Stats   "cancelled=N completed=M": handler tasks that saw cancellation / ran to the end
// Prints "ready" on stdout once listening; SIGTERM/SIGINT shut it down gracefully (exit 0).
import RPC
import Synchronization
import SystemIO
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

struct Failure: Error, CustomStringConvertible {
    var description: String { "disk on fire (a non-RPC error)" }
}

let counters = Mutex((cancelled: 0, completed: 0))

var arguments = CommandLine.arguments.dropFirst()
var endpointText = "unix:///tmp/mooring-rpc-testserver.sock"
var grace = 10
while let argument = arguments.popFirst() {
    switch argument {
    case "--endpoint": endpointText = arguments.popFirst() ?? endpointText
    case "--grace-seconds": grace = Int(arguments.popFirst() ?? "") ?? grace
    default:
        print("usage: rpc-testserver --endpoint unix:///PATH [--grace-seconds N]")
        exit(2)
    }
}

func milliseconds(_ request: [UInt8]) throws -> Int {
    guard let value = Int(String(decoding: request, as: UTF8.self)), value >= 0 else {
        throw RPCError(.invalidArgument, "expected a number of milliseconds")
    }
    return value
}

let server: RPCServer
do {
    server = RPCServer(configuration: .init(endpoint: try Endpoint(parsing: endpointText)))
} catch {
    print("rpc-testserver: \(error)")
    exit(1)
}
server.register("/mooring.test.Test/Echo") { request, _ in request }
server.register("/mooring.test.Test/Sleep") { request, _ in
    let ms = try milliseconds(request)
    do {
        try await Task.sleep(for: .milliseconds(ms))
    } catch {
        counters.withLock { $0.cancelled += 1 }
        throw error
    }
    counters.withLock { $0.completed += 1 }
    return Array("slept".utf8)
}
server.register("/mooring.test.Test/Block") { request, _ in
    let ms = try milliseconds(request)
    await Blocking.run { usleep(UInt32(ms) * 1000) }
    counters.withLock { $0.completed += 1 }
    return Array("blocked".utf8)
}
server.register("/mooring.test.Test/Fail") { request, _ in
    let text = String(decoding: request, as: UTF8.self)
    let parts = text.split(separator: " ", maxSplits: 1)
    guard let first = parts.first, let code = Int32(first) else {
        throw RPCError(.invalidArgument, "expected \"CODE message\"")
    }
    throw RPCError(StatusCode(wire: code), parts.count > 1 ? String(parts[1]) : "")
}
server.register("/mooring.test.Test/Throw") { _, _ in throw Failure() }
server.register("/mooring.test.Test/Stats") { _, _ in
    let (cancelled, completed) = counters.withLock { ($0.cancelled, $0.completed) }
    return Array("cancelled=\(cancelled) completed=\(completed)".utf8)
}

do {
    try server.start()
} catch {
    print("rpc-testserver: \(error)")
    exit(1)
}
print("ready")
fflush(nil)
// Trapping leaves the signals ignored for the rest of the process, so a second one does not kill
// it mid-shutdown.
var signal: Int32 = 0
for await received in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
    signal = received.rawValue
    break
}
await server.shutdown(grace: .seconds(grace))
print("stopped on signal \(signal)")
exit(0)
