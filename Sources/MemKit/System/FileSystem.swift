#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations with the guarantees the memory dir needs: private modes whatever the
/// umask, and replacement that leaves either the old or the new file, never a torn one.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// When the file was last written (seconds since 1970), or nil when it does not exist.
    public static func modificationTime(_ path: String) -> time_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        return info.st_mtimespec.tv_sec
        #else
        return info.st_mtim.tv_sec
        #endif
    }

    /// Reads a whole file. Missing file → `.noInput` (66); other failures → `.ioError`.
    public static func read(_ path: String, limit: Int = 64 << 20) throws(MemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { throw MemError(.noInput, "\(path): no such file") }
            throw MemError(.ioError, "cannot open \(path): \(lastErrorText(code))")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw MemError(.dataError, "\(path) is a directory")
        }
        do {
            return try StandardStreams.readAll(fd: fd, limit: limit)
        } catch {
            throw MemError(error.status, "\(path): \(error.message)")
        }
    }

    /// Reads a file if it exists; nil when it does not.
    public static func readIfPresent(_ path: String, limit: Int = 64 << 20) throws(MemError) -> [UInt8]? {
        do {
            return try read(path, limit: limit)
        } catch where error.status == .noInput {
            return nil
        }
    }

    /// Creates `path` (and parents) with mode 0700, and tightens an existing one to 0700.
    public static func makePrivateDirectory(_ path: String) throws(MemError) {
        if path.isEmpty { return }
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw MemError(.cantCreate, "\(path) exists and is not a directory")
            }
            if (info.st_mode & 0o077) != 0 { _ = chmod(path, 0o700) }
            return
        }
        let parent = directoryName(path)
        if parent != path, !exists(parent) { try makePrivateDirectory(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw MemError(.cantCreate, "cannot create directory \(path): \(lastErrorText())")
        }
        _ = chmod(path, 0o700)
    }

    /// Replaces `path` atomically: a complete temp file beside the real target (a
    /// symlinked profile stays a symlink and its target is what changes, see
    /// `writeTempFile`), renamed over it, directory fsynced. On error the temp file is
    /// removed and the old file is untouched.
    public static func writeAtomically(_ path: String, bytes: [UInt8], mode: mode_t = 0o600) throws(MemError) {
        let target = resolvedPath(path)
        let dir = directoryName(target)
        let tempPath = try writeTempFile(in: dir, for: baseName(target), bytes: bytes, mode: mode, naming: target)
        if rename(tempPath, target) != 0 {
            let failure = errno
            unlink(tempPath)
            throw MemError(.ioError, "cannot write \(target): \(lastErrorText(failure))")
        }
        syncDirectory(dir)
    }

    /// Writes `bytes` to a new temp file `<dir>/.<name>.tmp-<pid>-<n>` — created with
    /// `O_EXCL` (so a file or symlink planted at that name is never written through),
    /// given `mode` whatever the umask, fsynced — and returns its path, for the caller to
    /// rename or link into place. The name tells `ProfileStore`'s recovery whose temp
    /// file it is (the pid). On error nothing is left; `naming` is what messages call
    /// the file being written.
    public static func writeTempFile(in dir: String, for name: String, bytes: [UInt8], mode: mode_t = 0o600,
                                     naming: String) throws(MemError) -> String {
        var tempPath = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            tempPath = "\(dir)/.\(name).tmp-\(getpid())-\(attempt)"
            fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        if fd < 0 {
            let code = errno
            let status: ExitStatus = code == ENOSPC || code == EDQUOT ? .ioError : .cantCreate
            throw MemError(status, "cannot write \(naming): \(lastErrorText(code))")
        }
        var ok = bytes.withUnsafeBytes { StandardStreams.writeAll(fd: fd, bytes: $0) }
        var failure = ok ? 0 : errno
        if ok, fchmod(fd, mode) != 0 { ok = false; failure = errno }
        if ok, fsync(fd) != 0 { ok = false; failure = errno }
        if close(fd) != 0, ok { ok = false; failure = errno }
        if !ok {
            unlink(tempPath)
            throw MemError(.ioError, "cannot write \(naming): \(lastErrorText(failure))")
        }
        return tempPath
    }

    /// Writes a scratch file another program asked for (mem-render's `--notice-file`):
    /// created or truncated in place, 0600, never through a symlink, with no temp file
    /// beside it — its reader made the name (a temp name of its own, cleaned up with its
    /// other temp files), so a write killed halfway leaves nothing it does not know of.
    public static func writeScratch(_ path: String, _ text: String) throws(MemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { throw MemError(.cantCreate, "cannot write \(path): \(lastErrorText())") }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        guard StandardStreams.writeAll(fd: fd, text) else {
            throw MemError(.ioError, "cannot write \(path): \(lastErrorText())")
        }
    }

    /// Appends one line (creating the file 0600). Used for journals and logs, where a
    /// torn last line is tolerated by readers.
    public static func appendLine(_ path: String, _ line: String) throws(MemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 { throw MemError(.cantCreate, "cannot open \(path): \(lastErrorText())") }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let text = line.hasSuffix("\n") ? line : line + "\n"
        guard StandardStreams.writeAll(fd: fd, text), fsync(fd) == 0 else {
            throw MemError(.ioError, "cannot write \(path): \(lastErrorText())")
        }
    }

    public static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    /// The final target of a chain of symlinks (the path itself if none, or if the
    /// target does not exist yet).
    public static func resolvedPath(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: 4096)
            let n = readlink(current, &buffer, buffer.count - 1)
            if n < 0 { return current }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : directoryName(current) + "/" + target
        }
        return current
    }

    public static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
