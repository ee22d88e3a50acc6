import CGRPC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide gRPC core initialisation. `grpc_init` is reference counted and cheap after the
/// first call; Mooring's processes keep the library up for their whole life, so there is no
/// matching `grpc_shutdown`.
enum GRPCCore {
    private static let initialised: Bool = {
        ignoreAbseilDeadlockCycles()
        grpc_init()
        return true
    }()

    static func ensureInitialised() {
        _ = initialised
    }

    /// Debian's Abseil (which gRPC core locks every mutex through) is built without `NDEBUG`,
    /// so each `absl::Mutex::Lock` also runs the debug deadlock detector: it records every lock
    /// held per thread and the lock-order graph. Measured with callgrind on csi-node
    /// (GetPluginInfo, 2,000 calls): ~45 locks per call at ~420 instructions each — a quarter
    /// of the process's instructions per call. gRPC releases build Abseil with `NDEBUG`, which
    /// turns the detector off; this does the same through Abseil's own switch
    /// (`absl::SetMutexDeadlockDetectionMode(OnDeadlockCycle::kIgnore)`, before `grpc_init`).
    /// The function is C++: Debian's (inline namespace `debian3`) is referenced weakly from the
    /// CGRPC shim, which resolves in the static release link, where the executable exports no
    /// symbol for `dlsym` to find; otherwise (the dynamic link, another Abseil) it is looked up by
    /// its mangled names among the loaded libraries. With neither, nothing changes.
    private static func ignoreAbseilDeadlockCycles() {
        if cgrpc_ignore_absl_deadlock_cycles() != 0 { return }
        let names = [
            "_ZN4absl7debian329SetMutexDeadlockDetectionModeENS0_15OnDeadlockCycleE",
            "_ZN4absl29SetMutexDeadlockDetectionModeENS_15OnDeadlockCycleE",
        ]
        typealias SetMode = @convention(c) (Int32) -> Void
        let ignore: Int32 = 0  // absl::OnDeadlockCycle::kIgnore
        for name in names {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { continue }
            unsafeBitCast(symbol, to: SetMode.self)(ignore)
            return
        }
    }
}
