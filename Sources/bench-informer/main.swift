// Informer memory/CPU benchmark. Run through hack/bench/bench-informer, which starts
// `bench-informer serve` (the stand-in API server, seeded) and then `bench-informer watch`
// against it, so the measured process holds only the client side.
import Dispatch
import Foundation
import Kubernetes
import KubernetesTestSupport
import Logging

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: bench-informer serve NODES SERVICES | watch URL RESYNC_ROUNDS [PAGE_SIZE [SERVER_PID]]\n".utf8))
    exit(2)
}

var logger = Logger(label: "bench-informer")
logger.logLevel = ProcessInfo.processInfo.environment["BENCH_LOG"] == nil ? .warning : .debug

switch arguments[1] {
case "serve":
    let nodes = arguments.count > 2 ? Int(arguments[2]) ?? 5000 : 5000
    let services = arguments.count > 3 ? Int(arguments[3]) ?? 2000 : 2000
    let server = try await TestAPIServer.start(logger: logger)
    server.seed((0..<nodes).map(BenchObjects.node), into: "/api/v1/nodes")
    server.seed((0..<services).map(BenchObjects.service), into: "/api/v1/services")
    // SIGUSR1 forgets history and drops every watch: the informer's next watch gets 410 Gone.
    signal(SIGUSR1, SIG_IGN)
    let relist = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: .global())
    relist.setEventHandler { @Sendable in
        // Move the resourceVersion past what the informers saw, then forget the history.
        server.seed([ConfigMap(name: "bench-\(UUID().uuidString.prefix(8))", namespace: "default").json], into: "/api/v1/configmaps")
        server.compact()
        server.dropWatches()
    }
    relist.resume()
    print(server.url.absoluteString)
    fflush(nil)
    while true { try await Task.sleep(for: .seconds(3600)) }
case "watch":
    guard arguments.count >= 3, let url = URL(string: arguments[2]) else { exit(2) }
    let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
    let pageSize = arguments.count > 4 ? Int(arguments[4]) ?? 100 : 100
    let serverPID = arguments.count > 5 ? pid_t(arguments[5]) : nil
    try await BenchRun(url: url, resyncRounds: rounds, pageSize: pageSize, serverPID: serverPID, logger: logger).run()
default:
    exit(2)
}
