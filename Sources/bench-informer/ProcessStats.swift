import Foundation

/// Resident memory from /proc/self/status and CPU time from getrusage.
struct ProcessStats {
    var residentMiB: Double
    var peakResidentMiB: Double
    var cpuSeconds: Double
    var wall: ContinuousClock.Instant

    static func now() -> ProcessStats {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func kib(_ field: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return ProcessStats(
            residentMiB: kib("VmRSS") / 1024, peakResidentMiB: kib("VmHWM") / 1024, cpuSeconds: cpu, wall: .now)
    }

    static func report(_ stage: String, _ now: ProcessStats, since start: ProcessStats) {
        let wall = now.wall - start.wall
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        print(
            String(
                format: "%@ resident %6.1f MiB   cpu %6.2f s   wall %6.2f s",
                stage.padding(toLength: 40, withPad: " ", startingAt: 0), now.residentMiB,
                now.cpuSeconds - start.cpuSeconds, wallSeconds))
    }
}
