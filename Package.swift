// swift-tools-version:6.1
//
// Mooring: a CSI driver, a cloud controller manager, a provider API client and a local cloud.
// Module boundaries follow docs/architecture.md: the dependency arrows below are the only imports
// each module is allowed (Tests/interop/test_architecture.py checks the sources against it).
import PackageDescription

/// Release links of the CSI plugins on Linux: lld with packed relative relocations (DT_RELR,
/// glibc 2.36+) and no symbols exported from the executable. Measured (hack/bench/bench-rpc, smaps):
/// the dynamic loader no longer walks 1.4 MB of relocations and 15,600 exported symbols at
/// start, and fewer pages of the binary are dirtied — idle RSS csi-node 19.6 → 17.4 MiB,
/// csi-controller 28.7 → 23.7 MiB. The functions that run while a plugin starts, idles and serves
/// come first in `.text`, in the order hack/release/symbol-order.txt lists them (hack/release/gen-symbol-order.sh
/// makes it from callgrind): the code a serving process touches is then a few contiguous pages
/// instead of pages scattered over 12–18 MB — idle RSS csi-controller 23.4 → 19.0 MiB, csi-node
/// 17.7 → 15.9 MiB.
///
/// gRPC core is linked statically into them as well: `-L hack/release/static-link` comes before the
/// system folders, so the `-lgrpc_unsecure`/`-lgpr` of the CGRPC module map, CSIProtoC's
/// `-lprotobuf-c` and the driver's `-lstdc++` find the linker scripts there, which name Debian's
/// static archives (gRPC core, gpr, upb, c-ares, address_sorting, re2, zlib, 64 absl archives —
/// all position-independent, no R_X86_64_32 relocations — protobuf-c, libstdc++). With
/// --gc-sections only the code reached is kept, and the process maps 4 shared libraries instead
/// of ~52, each of which cost resident pages of its own (headers, .dynamic, GOT, data) and
/// relocations at start; and symbol-order.txt now orders gRPC core's functions too. Measured
/// (hack/bench/bench-memory, bench-rpc; docs/benchmarks.md, note of 2026-12-06): idle RSS csi-node
/// 19.2 → 12.8 MiB (0.92× hostpathplugin), csi-controller 21.4 → 15.4 MiB. Debian's static absl
/// is built without NDEBUG like its shared one, so absl::Mutex would run its debug deadlock check
/// (+7 % instructions per call); RPC.GRPCCore turns it off through a weak reference in the CGRPC shim.
/// Debug builds and tests keep the dynamic link.
let symbolOrder = "\(Context.packageDirectory)/hack/release/symbol-order.txt"
let leanLink: [LinkerSetting] = [
    .unsafeFlags(
        ["-L", "\(Context.packageDirectory)/hack/release/static-link",
         "-use-ld=lld", "-Xlinker", "--no-export-dynamic", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
         "-Xlinker", "--symbol-ordering-file=\(symbolOrder)", "-Xlinker", "--no-warn-symbol-ordering"],
        .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "Mooring",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "csi-controller", targets: ["csi-controller"]),
        .executable(name: "csi-node", targets: ["csi-node"]),
        .executable(name: "cloud-controller-manager", targets: ["cloud-controller-manager"]),
        .executable(name: "localcloud", targets: ["localcloud"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // MARK: gRPC core + protobuf-c (C)

        // System library: gRPC core (libgrpc_unsecure + libgpr) behind a shim header.
        .systemLibrary(name: "CGRPC", path: "Sources/CGRPC"),
        // protobuf-c code generated from proto/csi.proto by hack/generate/update-generated.sh.
        .target(
            name: "CSIProtoC",
            path: "Sources/CSIProtoC",
            cSettings: [.unsafeFlags(["-w"])],
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),

        // MARK: Swift libraries

        // C calls SystemIO needs that the Glibc module hides (GNU extensions, macros).
        .target(name: "CSystemIO", path: "Sources/CSystemIO"),
        // OS-facing code: the syscall helper (EINTR, typed errors), process spawning, file
        // operations, the plain HTTP GET, the thread pool for blocking work.
        .target(name: "SystemIO", dependencies: ["CSystemIO"]),
        // The only Swift code touching gRPC core.
        .target(name: "RPC", dependencies: ["CGRPC", "SystemIO"]),
        // CSI value types and their protobuf-c codecs.
        .target(name: "CSI", dependencies: ["CSIProtoC"]),
        // The one token bucket: the cloud client's and the Kubernetes client's rate limits and the
        // local cloud's per-source limit (Foundation-free, no dependencies).
        .target(name: "RateLimiting"),
        // The one JSON value type, its parser and serializer, without Foundation (csi-node and the
        // Kubernetes client).
        .target(name: "JSON"),
        // Provider API client (Vultr v2 dialect).
        .target(
            name: "CloudAPI",
            dependencies: [
                "RateLimiting",
                "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                // ByteBuffer and HTTPMethod appear in AsyncHTTPClient's own API.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The local cloud: API server, SQLite state, loop-device volumes, load-balancer data
        // plane (NIO proxies, TLS termination with NIOSSL), route tables.
        .target(
            name: "LocalCloud",
            dependencies: [
                "RateLimiting",
                "SystemIO",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The `--metrics-address` listener and the HOST:PORT parser.
                "MetricsHTTP",
            ]
        ),
        // Shared CSI plumbing both plugins use: identity, plugin server, status mapping, in-flight
        // guard, page tokens, capability checks, volume handles, driver errors.
        .target(
            name: "CSIDriver",
            dependencies: [
                "CSI", "RPC",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The CSI node plugin: the Node service (stage, publish, expand, stats, encryption), the
        // Mounter and its Linux implementation, device lookup, the instance metadata reader.
        .target(
            name: "CSINode",
            dependencies: [
                "CSIDriver", "CSI", "RPC", "JSON", "SystemIO",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The CSI controller's side that talks to the cloud: kept apart from CSIDriver so that
        // csi-node links neither the cloud client nor Foundation (resident memory on every node).
        .target(
            name: "CSIController",
            dependencies: [
                "CSIDriver", "CSI", "RPC", "CloudAPI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Kubernetes REST client and controller runtime.
        .target(
            name: "Kubernetes",
            dependencies: [
                "RateLimiting",
                "JSON",
                "Telemetry",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // In-process stand-in for kube-apiserver (test support, not a product).
        .target(
            name: "KubernetesTestSupport",
            dependencies: [
                "Kubernetes",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Informer memory/CPU benchmark driven by hack/bench/bench-informer.
        .executableTarget(
            name: "bench-informer",
            dependencies: [
                "Kubernetes", "KubernetesTestSupport", "Telemetry",
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Process plumbing shared by the executables: log format bootstrap, the process's
        // Prometheus registry behind swift-metrics, call metrics.
        .target(
            name: "Telemetry",
            dependencies: [
                "SystemIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The one `--metrics-address` HTTP listener (/metrics from a Prometheus registry, /healthz
        // with injected checks) as a `Service`, and the one HOST:PORT parser.
        .target(
            name: "MetricsHTTP",
            dependencies: [
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What csi-controller and csi-node share: their common option groups and start-up (logging,
        // metrics, the plugin server and the metrics server as services under one ServiceGroup).
        .target(
            name: "CSIStartup",
            dependencies: [
                "CSIDriver", "RPC", "Telemetry", "MetricsHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Cloud controller manager controllers.
        .target(
            name: "CloudController",
            dependencies: [
                "Kubernetes", "CloudAPI",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Executables

        .executableTarget(
            name: "csi-controller",
            dependencies: [
                "CSIDriver", "CSIController", "CSIStartup", "RPC", "Telemetry", "CloudAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: leanLink
        ),
        .executableTarget(
            name: "csi-node",
            dependencies: [
                "CSINode", "CSIDriver", "CSIStartup", "RPC", "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: leanLink
        ),
        .executableTarget(
            name: "cloud-controller-manager",
            dependencies: [
                "CloudController", "Kubernetes", "CloudAPI", "Telemetry", "MetricsHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "localcloud",
            dependencies: [
                "LocalCloud", "Telemetry", "MetricsHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Tests

        // A gRPC server with test methods (echo, slow, blocking, failing), driven by the Python
        // grpcio interop tests and the RPC benchmark.
        .executableTarget(
            name: "rpc-testserver",
            dependencies: ["RPC", "SystemIO", .product(name: "UnixSignals", package: "swift-service-lifecycle")],
            path: "Tests/RPCTestServer"
        ),
        // The Kubernetes stand-in as a process, for end-to-end runs of cloud-controller-manager
        // (Tests/interop/test_ccm.py, hack/bench/bench-ccm). Test support, not shipped.
        .executableTarget(
            name: "kube-standin",
            dependencies: ["KubernetesTestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/KubeStandin"
        ),

        .testTarget(name: "RPCTests", dependencies: ["RPC", "SystemIO"]),
        .testTarget(name: "SystemIOTests", dependencies: ["SystemIO"]),
        .testTarget(
            name: "TelemetryTests",
            dependencies: [
                "Telemetry",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "MetricsHTTPTests",
            dependencies: [
                "MetricsHTTP",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "RateLimitingTests", dependencies: ["RateLimiting"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "CSIDriverTests", dependencies: ["CSIDriver", "CSI", "RPC"]),
        .testTarget(name: "CSINodeTests", dependencies: ["CSINode", "CSIDriver", "CSI", "RPC", "SystemIO"]),
        // The controller's cloud mapping, and its service over the real socket against an
        // in-process local cloud.
        .testTarget(
            name: "CSIControllerTests",
            dependencies: [
                "CSIController", "CSIDriver", "CSI", "RPC", "CloudAPI", "LocalCloud",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        // Fixtures/ holds golden vectors from hack/generate/gen-csi-fixtures.py, read via #filePath.
        .testTarget(name: "CSITests", dependencies: ["CSI", "CSIProtoC"], exclude: ["Fixtures"]),
        .testTarget(
            name: "CloudAPITests",
            dependencies: [
                "CloudAPI", "LocalCloud",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "LocalCloudTests",
            dependencies: [
                "LocalCloud", "MetricsHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The CCM controllers against the in-process Kubernetes stand-in and an in-process local cloud.
        .testTarget(
            name: "CloudControllerTests",
            dependencies: [
                "CloudController", "Kubernetes", "KubernetesTestSupport", "CloudAPI", "LocalCloud",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "KubernetesTests",
            dependencies: [
                "Kubernetes", "KubernetesTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)

// Fuzz targets (libFuzzer), present only when MOORING_FUZZ is set: hack/check/fuzz.sh builds them with
// `-sanitize=fuzzer` in their own build directory, so ordinary builds and tests never see them.
if Context.environment["MOORING_FUZZ"] != nil {
    package.targets += [
        .systemLibrary(name: "CFuzzer", path: "Fuzz/CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"], path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "fuzz-csi-messages", dependencies: ["CSI", "FuzzSupport"], path: "Fuzz/CSIMessages"),
        .executableTarget(
            name: "fuzz-cloud-responses", dependencies: ["CloudAPI", "FuzzSupport"], path: "Fuzz/CloudResponses"),
        .executableTarget(
            name: "fuzz-watch-stream", dependencies: ["Kubernetes", "FuzzSupport"], path: "Fuzz/WatchStream"),
    ]
}
