import CloudAPI
import CSI
import CSIController
import CSIDriver
import Foundation
import LocalCloud
import Logging
import MetricsTestKit
import RPC
import Testing

/// An in-process local cloud, a `csi-controller`-shaped plugin server on a real Unix socket in
/// front of it, and a gRPC client: what the sidecars see, with the real backend behind it.
struct ControllerHarness {
    static let key = "controller-test-key-5be2"
    let cloud: LocalCloudServer
    /// Straight to the local cloud, for arranging and checking state behind the driver's back.
    let api: VultrClient
    let rpc: RPCClient
    let metrics: TestMetrics
    let inFlight: InFlight
    let directory: URL

    static func with(
        cloud configureCloud: (inout LocalCloudConfiguration) -> Void = { _ in },
        options configureOptions: (inout ControllerService.Options) -> Void = { _ in },
        wrap: @Sendable (VultrClient, LocalCloudServer) -> any ControllerCloud = { client, _ in client },
        _ body: (ControllerHarness) async throws -> Void
    ) async throws {
        let directory = URL(fileURLWithPath: "/tmp/ctrl-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = LocalCloudConfiguration(dataDirectory: directory.appendingPathComponent("cloud"), apiKey: key,
                                                    rateLimit: 0, pendingDuration: .milliseconds(100))
        configureCloud(&configuration)
        var quiet = Logger(label: "test")
        quiet.logLevel = .warning
        let cloud = try await LocalCloudServer.start(configuration: configuration, logger: quiet)
        let metrics = TestMetrics()
        let clientConfiguration = VultrClient.Configuration(
            baseURL: cloud.baseURL, apiKey: APIKey(key), requestTimeout: .seconds(10),
            retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(100)),
            rateLimiter: TokenBucket(rate: 10_000, burst: 1_000), metricsFactory: metrics)
        let api = VultrClient(configuration: clientConfiguration, logger: quiet)
        var options = ControllerService.Options(defaultRegion: "ewr", provisioningDelay: .milliseconds(150),
                                                defaultWait: .seconds(20))
        configureOptions(&options)
        let inFlight = InFlight()
        let service = ControllerService(cloud: wrap(api, cloud), options: options, logger: quiet, inFlight: inFlight)
        let identity = IdentityService(identity: try DriverIdentity(version: "0.0.0-test"), capabilities: ControllerService.pluginCapabilities,
                                       readiness: [], logger: quiet)
        let endpoint = try Endpoint(parsing: "unix://\(directory.path)/csi.sock")
        let server = try PluginServer(endpoint: endpoint, logger: quiet).start { server in
            identity.register(on: server)
            service.register(on: server)
        }
        let rpc = RPCClient(endpoint: endpoint)
        let harness = ControllerHarness(cloud: cloud, api: api, rpc: rpc, metrics: metrics, inFlight: inFlight,
                                        directory: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try await body(harness)
        } catch {
            rpc.close()
            await server.shutdown(grace: .seconds(1))
            await cloud.stop()
            throw error
        }
        rpc.close()
        await server.shutdown(grace: .seconds(1))
        await cloud.stop()
    }

    /// One call through the socket.
    func call<Request, Response>(_ method: CSIMethod<Request, Response>, _ request: Request,
                                 timeout: Duration = .seconds(30)) async throws -> Response {
        try Response(serializedBytes: try await rpc.unary(method.path, try request.serializedBytes(), timeout: timeout))
    }

    /// The status code a call fails with (`.ok` when it succeeds), and its message.
    func status<Request, Response>(_ method: CSIMethod<Request, Response>, _ request: Request) async -> (code: StatusCode, message: String) {
        do {
            _ = try await call(method, request)
            return (.ok, "")
        } catch let error as RPCError {
            return (error.code, error.message)
        } catch {
            return (.unknown, "\(error)")
        }
    }

    func newNode(region: String = "ewr") async throws -> String {
        try await api.createInstance(InstanceCreateRequest(region: region, plan: "vc2-1c-1gb", label: "node")).id
    }

    /// HTTP exchanges the driver's client made for an operation such as `blocks.create`.
    func requests(_ operation: String) -> Int64 {
        metrics.counters(label: "cloudapi_requests_total")
            .filter { $0.dimensions.contains { $0 == ("operation", operation) } }
            .reduce(0) { $0 + $1.totalValue }
    }
}

// MARK: Request builders

enum Requests {
    static func mount(_ mode: VolumeCapability.AccessMode.Mode = .singleNodeWriter, fsType: String = "ext4") -> VolumeCapability {
        var mount = VolumeCapability.MountVolume()
        mount.fsType = fsType
        var access = VolumeCapability.AccessMode()
        access.mode = mode
        var capability = VolumeCapability()
        capability.accessType = .mount(mount)
        capability.accessMode = access
        return capability
    }

    static func block() -> VolumeCapability {
        var access = VolumeCapability.AccessMode()
        access.mode = .singleNodeWriter
        var capability = VolumeCapability()
        capability.accessType = .block(VolumeCapability.BlockVolume())
        capability.accessMode = access
        return capability
    }

    static func create(_ name: String, requiredGiB: Int64? = nil, requiredBytes: Int64? = nil, limitBytes: Int64 = 0,
                       parameters: [String: String] = [:]) -> CreateVolumeRequest {
        var request = CreateVolumeRequest()
        request.name = name
        request.volumeCapabilities = [mount()]
        request.parameters = parameters
        if requiredGiB != nil || requiredBytes != nil || limitBytes != 0 {
            var range = CapacityRange()
            range.requiredBytes = requiredBytes ?? (requiredGiB ?? 0) << 30
            range.limitBytes = limitBytes
            request.capacityRange = range
        }
        return request
    }

    static func publish(_ volumeID: String, to nodeID: String) -> ControllerPublishVolumeRequest {
        var request = ControllerPublishVolumeRequest()
        request.volumeId = volumeID
        request.nodeId = nodeID
        request.volumeCapability = mount()
        return request
    }

    static func unpublish(_ volumeID: String, from nodeID: String) -> ControllerUnpublishVolumeRequest {
        var request = ControllerUnpublishVolumeRequest()
        request.volumeId = volumeID
        request.nodeId = nodeID
        return request
    }

    static func delete(_ volumeID: String) -> DeleteVolumeRequest {
        var request = DeleteVolumeRequest()
        request.volumeId = volumeID
        return request
    }

    static func snapshot(_ name: String, of volumeID: String) -> CreateSnapshotRequest {
        var request = CreateSnapshotRequest()
        request.name = name
        request.sourceVolumeId = volumeID
        return request
    }
}
