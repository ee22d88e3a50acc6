import SystemIO

/// The local cloud's way to run a program (losetup, truncate, cp, ip, openssl): SystemIO's command
/// runner, which csi-node uses too, called synchronously on the caller's thread.
enum CommandRunner {
    /// Loop-device and snapshot copies of large sparse files may take a while; a program still
    /// running after this long is killed.
    static let timeout: Duration = .seconds(3600)

    /// Runs `command` to completion and returns its standard output; throws `CommandError` when it
    /// exits non-zero, times out or cannot start. Blocks the calling thread.
    @discardableResult
    static func run(_ command: [String]) throws -> String {
        let output = try SystemIO.CommandRunner().runBlocking(command, timeout: timeout)
        guard output.status == 0 else {
            throw CommandError(command: command, reason: .exited(output.status), stderr: output.stderr)
        }
        return output.stdout
    }
}
