import CSIDriver
#if canImport(Glibc)
import Glibc
#endif

/// The few file operations the node service does on paths it was given (create a target, remove
/// it, see what is there). Each blocks the calling thread: call them inside `Blocking.run`.
/// Errors are `DriverError`s naming the path and the system's reason.
enum LocalFiles {
    enum Kind: Equatable {
        case missing
        case directory
        case file
        case blockDevice(DeviceNumber)
        case other
    }

    /// What `path` is, following symbolic links.
    static func kind(_ path: String) throws(DriverError) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            throw failure("stat", path, code)
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFBLK: return .blockDevice(DeviceNumber(raw: UInt64(info.st_rdev)))
        default: return .other
        }
    }

    /// `path` with every symbolic link resolved (`realpath`), or nil when it names nothing.
    static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Creates `path` and its missing parents as directories (mode 0750).
    static func makeDirectories(_ path: String) throws(DriverError) {
        if case .directory = try kind(path) { return }
        let parent = VolumePath.parent(of: path)
        if parent != "/" { try makeDirectories(parent) }
        if mkdir(path, 0o750) != 0 && errno != EEXIST { throw failure("mkdir", path, errno) }
        guard case .directory = try kind(path) else {
            throw DriverError.failedPrecondition("\(path) exists and is not a directory")
        }
    }

    /// Creates an empty regular file at `path` unless one exists (the parent must exist).
    static func makeFile(_ path: String) throws(DriverError) {
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw DriverError.notFound("the parent directory of \(path) does not exist") }
            throw failure("create", path, code)
        }
        close(fd)
    }

    /// Removes the file or empty directory at `path`; a missing path is fine.
    static func remove(_ path: String) throws(DriverError) {
        if unlink(path) == 0 { return }
        var code = errno
        if code == ENOENT { return }
        if code == EISDIR || code == EPERM {
            if rmdir(path) == 0 { return }
            code = errno
            if code == ENOENT { return }
        }
        throw failure("remove", path, code)
    }

    /// The whole content of a (small, e.g. /proc) file as text.
    static func read(_ path: String) throws(DriverError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path, errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", path, errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func failure(_ operation: String, _ path: String, _ code: Int32) -> DriverError {
        DriverError.internal("\(operation) \(path): \(String(cString: strerror(code)))")
    }
}
