import NIOCore
import NIOPosix

/// Stopping: closing the listeners and connections, then the data plane and the threads.
extension LocalCloudServer {
    /// Waits until the server has stopped.
    public func waitUntilStopped() async {
        for loop in state.withLock({ $0.acceptLoops }) { await loop.value }
    }

    /// Stops accepting, closes open connections and releases threads. Safe to call more than
    /// once and from several tasks: every caller returns once the server is fully stopped.
    public func stop() async {
        let task = state.withLock { state in
            if let stopping = state.stopping { return stopping }
            let stopping = Task { await self.performStop() }
            state.stopping = stopping
            return stopping
        }
        await task.value
    }

    func performStop() async {
        let (connections, loops, dataPlaneLoop) = state.withLock { state in
            state.stopped = true
            return (Array(state.connections.values), state.acceptLoops, state.dataPlaneLoop)
        }
        for channel in serverChannels { try? await channel.close() }
        metricsServer?.close()
        for connection in connections { try? await connection.close() }
        for loop in loops { await loop.value }
        dataPlaneLoop?.cancel()
        await dataPlaneLoop?.value
        await dataPlane?.shutdown()
        try? await dataPlaneGroup?.shutdownGracefully()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
        logger.info("localcloud stopped")
    }
}
