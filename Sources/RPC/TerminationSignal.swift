import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for SIGTERM or SIGINT, the signals Kubernetes and a terminal use to stop a process.
public enum TerminationSignal {
    /// Suspends until the first of SIGTERM/SIGINT arrives and returns its number. The default
    /// actions are replaced for the life of the process, so a second signal does not kill it
    /// mid-shutdown.
    public static func wait() async -> Int32 {
        let signals: [Int32] = [SIGTERM, SIGINT]
        let sources = signals.map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            return DispatchSource.makeSignalSource(signal: number, queue: .global())
        }
        let once = OneShot<Int32>()
        for (number, source) in zip(signals, sources) {
            // @Sendable: an unannotated closure written in main.swift would be inferred
            // @MainActor and trap when Dispatch runs it on another queue.
            source.setEventHandler { @Sendable in once.fulfil(number) }
            source.resume()
        }
        let received = await once.value()
        for source in sources { source.cancel() }
        return received
    }
}
