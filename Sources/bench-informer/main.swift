// Informer memory/CPU benchmark. Run through hack/bench-informer, which starts
// `bench-informer serve` (the stand-in API server, seeded) and then `bench-informer watch`
// against it, so the measured process holds only the client side.
import Foundation
import Kubernetes
import KubernetesTestSupport
import Logging

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: bench-informer serve NODES SERVICES | watch URL RESYNC_ROUNDS [PAGE_SIZE]\n".utf8))
    exit(2)
}

var logger = Logger(label: "bench-informer")
logger.logLevel = .warning

switch arguments[1] {
case "serve":
    let nodes = arguments.count > 2 ? Int(arguments[2]) ?? 5000 : 5000
    let services = arguments.count > 3 ? Int(arguments[3]) ?? 2000 : 2000
    let server = try await TestAPIServer.start(logger: logger)
    server.seed((0..<nodes).map(BenchObjects.node), into: "/api/v1/nodes")
    server.seed((0..<services).map(BenchObjects.service), into: "/api/v1/services")
    print(server.url.absoluteString)
    fflush(nil)
    while true { try await Task.sleep(for: .seconds(3600)) }
case "watch":
    guard arguments.count >= 3, let url = URL(string: arguments[2]) else { exit(2) }
    let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
    let pageSize = arguments.count > 4 ? Int(arguments[4]) ?? 200 : 200
    try await BenchRun(url: url, resyncRounds: rounds, pageSize: pageSize, logger: logger).run()
default:
    exit(2)
}
