import Dispatch
import Foundation
import KubernetesTestSupport
import Logging

/// `kube-standin --port P --kubeconfig-out FILE [--record FILE]`: the in-process Kubernetes
/// stand-in (`TestAPIServer`, plain HTTP on 127.0.0.1) as a process, for end-to-end tests and
/// benchmarks of the real cloud-controller-manager binary. Writes a kubeconfig pointing at
/// itself; on SIGTERM writes every request it received as JSON lines (`method`, `path`, `authorization`,
/// `watch`, `content_type`) to `--record`, then exits 0. Test support only: not shipped.
@main
struct KubeStandin {
    static func main() async {
        var port = 0
        var kubeconfigOut: String?
        var recordOut: String?
        var arguments = Array(CommandLine.arguments.dropFirst())
        while !arguments.isEmpty {
            let flag = arguments.removeFirst()
            var value: String?
            var name = flag
            if let equals = flag.firstIndex(of: "=") {
                name = String(flag[..<equals])
                value = String(flag[flag.index(after: equals)...])
            } else if !arguments.isEmpty {
                value = arguments.removeFirst()
            }
            guard let value else { fail("\(flag) needs a value") }
            switch name {
            case "--port":
                guard let parsed = Int(value), (0...65535).contains(parsed) else { fail("--port must be 0...65535") }
                port = parsed
            case "--kubeconfig-out": kubeconfigOut = value
            case "--record": recordOut = value
            default: fail("unknown flag \(name) (known: --port, --kubeconfig-out, --record)")
            }
        }
        guard let kubeconfigOut else { fail("--kubeconfig-out FILE is required") }

        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let server: TestAPIServer
        do {
            server = try await TestAPIServer.start(port: port, logger: Logger(label: "kube-standin"))
        } catch {
            fail("cannot listen on 127.0.0.1:\(port): \(error)")
        }
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: standin
              cluster:
                server: \(server.url.absoluteString)
            users:
            - name: standin
              user:
                token: standin
            contexts:
            - name: standin
              context:
                cluster: standin
                user: standin
            current-context: standin

            """
        do {
            try kubeconfig.write(toFile: kubeconfigOut, atomically: true, encoding: .utf8)
        } catch {
            fail("cannot write \(kubeconfigOut): \(error)")
        }
        FileHandle.standardOutput.write(Data("kube-standin listening on \(server.url.absoluteString)\n".utf8))

        let stop = AsyncStream<Void>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { @Sendable in stop.continuation.yield() }
            source.resume()
            sources.append(source)
        }
        for await _ in stop.stream { break }
        if let recordOut {
            var lines = ""
            for request in server.requests {
                let object: [String: Any] = [
                    "method": request.method, "path": request.path, "watch": request.isWatch,
                    "content_type": request.contentType ?? "", "authorization": request.authorization ?? "",
                ]
                if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                    lines += String(decoding: data, as: UTF8.self) + "\n"
                }
            }
            do {
                try lines.write(toFile: recordOut, atomically: true, encoding: .utf8)
            } catch {
                FileHandle.standardError.write(Data("kube-standin: cannot write \(recordOut): \(error)\n".utf8))
            }
        }
        await server.shutdown()
        _ = sources
        exit(0)
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("kube-standin: \(message)\n".utf8))
        exit(64)
    }
}
