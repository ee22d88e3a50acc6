#if canImport(Glibc)
import Glibc
#endif

/// The file operations the node service does on paths it was given (create a target, remove it,
/// see what is there, read a small file, ask a filesystem how full it is). Each blocks the calling
/// thread: call them inside `Blocking.run`. Errors are `SystemError`s naming the call, the path
/// and the system's reason.
public enum LocalFiles {
    public enum Kind: Sendable, Equatable {
        case missing
        case directory
        case file
        case blockDevice(DeviceNumber)
        case other
    }

    /// What `path` is, following symbolic links.
    public static func kind(_ path: String) throws(SystemError) -> Kind {
        var info = stat()
        do throws(SystemError) {
            try Syscall.run("stat", path: path) { stat(path, &info) }
        } catch {
            if error.isMissing || error.isNotADirectory { return .missing }
            throw error
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFBLK: return .blockDevice(DeviceNumber(raw: UInt64(info.st_rdev)))
        default: return .other
        }
    }

    /// Whether anything exists at `path` (`access(F_OK)`).
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// `path` with every symbolic link resolved (`realpath`), or nil when it names nothing.
    public static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Creates `path` and its missing parents as directories (mode 0750). Something other than a
    /// directory in the way fails with `ENOTDIR` from `mkdir`.
    public static func makeDirectories(_ path: String) throws(SystemError) {
        if case .directory = try kind(path) { return }
        let parent = parent(of: path)
        if parent != "/" { try makeDirectories(parent) }
        do throws(SystemError) {
            try Syscall.run("mkdir", path: path) { mkdir(path, 0o750) }
        } catch {
            guard error.code == EEXIST else { throw error }
        }
        guard case .directory = try kind(path) else { throw SystemError("mkdir", code: ENOTDIR, path: path) }
    }

    /// Creates an empty regular file at `path` unless one exists (the parent must exist: `ENOENT`
    /// from `create` otherwise).
    public static func makeFile(_ path: String) throws(SystemError) {
        let fd = try Syscall.run("create", path: path) { open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o640) }
        close(fd)
    }

    /// Removes the file or empty directory at `path`; a missing path is fine.
    public static func remove(_ path: String) throws(SystemError) {
        do throws(SystemError) {
            try Syscall.run("remove", path: path) { unlink(path) }
        } catch where error.isMissing {
            return
        } catch where error.code == EISDIR || error.code == EPERM {
            do throws(SystemError) {
                try Syscall.run("remove", path: path) { rmdir(path) }
            } catch where error.isMissing {
                return
            }
        }
    }

    /// The whole content of a (small, e.g. /proc) file as text.
    public static func read(_ path: String) throws(SystemError) -> String {
        let fd = try Syscall.run("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try Syscall.run("read", path: path) { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The device number of the block device at `path`, nil when nothing is there; a path that is
    /// something else fails with `ENOTBLK`.
    public static func blockDevice(at path: String) throws(SystemError) -> DeviceNumber? {
        switch try kind(path) {
        case .missing: return nil
        case .blockDevice(let number): return number
        default: throw SystemError("stat", code: ENOTBLK, path: path)
        }
    }

    /// `statvfs` of the filesystem holding `path`.
    public static func statistics(_ path: String) throws(SystemError) -> FilesystemStatistics {
        var info = statvfs()
        try Syscall.run("statvfs", path: path) { statvfs(path, &info) }
        let fragment = Int64(info.f_frsize)
        return FilesystemStatistics(
            totalBytes: Int64(info.f_blocks) * fragment, availableBytes: Int64(info.f_bavail) * fragment,
            usedBytes: (Int64(info.f_blocks) - Int64(info.f_bfree)) * fragment,
            totalInodes: Int64(info.f_files), freeInodes: Int64(info.f_ffree),
            usedInodes: Int64(info.f_files) - Int64(info.f_ffree))
    }

    /// The directory containing `path` ("/" for a top-level entry).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
