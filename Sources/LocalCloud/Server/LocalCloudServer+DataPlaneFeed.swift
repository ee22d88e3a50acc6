import Foundation
import NIOPosix

/// The load-balancer data plane kept in step with the API's state.
extension LocalCloudServer {
    /// How long the feed waits after a failed store read or a listener that could not open
    /// before it tries again.
    static let dataPlaneRetry = Duration.seconds(1)

    /// Feeds the data plane the active load balancers until the server stops. It wakes when an
    /// API call changed load balancers or instances (``dataPlaneChanges``), when the next pending
    /// load balancer turns active, after ``LocalCloudConfiguration/loadBalancerResync`` as a
    /// safety net, and soon again while something failed; otherwise it sleeps. Reading the store
    /// blocks, so it happens on the thread pool; the data plane itself only awaits NIO.
    func feed(_ dataPlane: LoadBalancerDataPlane) async {
        let handler = self.handler
        var lastError = ""
        while !Task.isCancelled {
            var wait = configuration.loadBalancerResync
            do {
                let (specs, readyAt) = try await threadPool.runIfActive {
                    (try handler.balancerSpecs(), try handler.nextBalancerReadyAt())
                }
                let healthy = await dataPlane.reconcile(specs)
                lastError = ""
                if !healthy { wait = min(wait, Self.dataPlaneRetry) }
                if let readyAt {
                    let seconds = max(0, readyAt.timeIntervalSinceNow) + 0.001
                    wait = min(wait, .milliseconds(Int64((seconds * 1000).rounded(.up))))
                }
            } catch {
                if "\(error)" != lastError {
                    logger.warning("load balancer state unreadable", metadata: ["error": "\(error)"])
                    lastError = "\(error)"
                }
                wait = min(wait, Self.dataPlaneRetry)
            }
            await dataPlaneChanges.wait(timeout: wait)
        }
    }
}
