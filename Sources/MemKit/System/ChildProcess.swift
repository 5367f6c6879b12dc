#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program to completion with `posix_spawn`, without Foundation.
///
/// - stdin is the given bytes in an unlinked temp file (not a pipe: a child that exits
///   without reading all of it cannot kill us with SIGPIPE, and nothing can block);
/// - stdout and stderr go to unlinked temp files (no pipe to fill up, no deadlock) and
///   are read back up to a cap each (`truncated` flags say when there was more);
/// - the child runs in its own process group; after `timeout` seconds the group gets
///   SIGTERM, and SIGKILL 2 s later if it is still there. SIGINT, SIGTERM and SIGHUP sent
///   to us while we wait are held, passed on the same way, then take effect;
/// - temp files live in `$TMPDIR` (else /tmp);
/// - the child gets only stdin, stdout and stderr: no other descriptor of ours (such as
///   the porcelain's update lock, an flock on fd 9 that mem-propose inherits) outlives us
///   in it. A model call left running after its update was killed must not keep the
///   update lock.
public struct ChildProcess: Sendable {
    public struct Output: Sendable {
        /// Exit status when the child exited, nil when a signal ended it.
        public var exitStatus: Int32?
        /// The signal that ended the child, if any.
        public var signal: Int32?
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var stdoutTruncated: Bool
        public var stderrTruncated: Bool
        public var timedOut: Bool

        public var succeeded: Bool { exitStatus == 0 && !timedOut }
    }

    public enum Failure: Error, Sendable, Equatable {
        /// No such program (not found on PATH, or the path does not exist / is not executable).
        case notFound(String)
        /// Something else went wrong starting it (temp files, spawn).
        case cannotRun(String)

        public var message: String {
            switch self {
            case let .notFound(m), let .cannotRun(m): return m
            }
        }
    }

    public var executable: String
    public var arguments: [String]
    /// Variables to set (or, with nil, to remove) on top of our own environment.
    public var environment: [String: String?]
    public var stdin: [UInt8]
    /// Seconds before the child is stopped.
    public var timeout: Double
    /// Bytes kept of stdout and of stderr each.
    public var outputCap: Int
    /// Seconds between SIGTERM and SIGKILL.
    public var killGrace: Double

    public init(executable: String, arguments: [String], environment: [String: String?] = [:], stdin: [UInt8] = [],
                timeout: Double = 120, outputCap: Int = 1 << 20, killGrace: Double = 2) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.stdin = stdin
        self.timeout = timeout
        self.outputCap = outputCap
        self.killGrace = killGrace
    }

    /// Finds a program: a name with a `/` is used as given; otherwise each directory of
    /// `PATH` (default `/usr/local/bin:/usr/bin:/bin`) is searched for an executable file.
    public static func resolve(_ name: String) throws(Failure) -> String {
        if name.isEmpty { throw .notFound("no program named") }
        if name.contains("/") {
            guard isExecutableFile(name) else {
                throw .notFound(FileSystem.exists(name) ? "\(name) is not an executable file" : "\(name): no such file")
            }
            return name
        }
        let path = Environment.value("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            let base = dir.isEmpty ? "." : String(dir)
            let candidate = base + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        throw .notFound("\(name) not found on PATH")
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    public func run() throws(Failure) -> Output {
        let path = try ChildProcess.resolve(executable)

        let inFD = try ChildProcess.tempFile()
        defer { close(inFD) }
        let outFD = try ChildProcess.tempFile()
        defer { close(outFD) }
        let errFD = try ChildProcess.tempFile()
        defer { close(errFD) }
        let wrote = stdin.withUnsafeBytes { StandardStreams.writeAll(fd: inFD, bytes: $0) }
        guard wrote, lseek(inFD, 0, SEEK_SET) == 0 else {
            throw .cannotRun("cannot write the input for \(executable): \(lastErrorText())")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inFD, 0)
        posix_spawn_file_actions_adddup2(&actions, outFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)
        #if canImport(Glibc)
        if let addCloseFrom = ChildProcess.addCloseFrom {
            _ = addCloseFrom(&actions, 3)
        } else {
            ChildProcess.markDescriptorsCloseOnExec()
        }
        #endif

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        #if canImport(Darwin)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                                                    | POSIX_SPAWN_CLOEXEC_DEFAULT))
        #else
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        #endif

        // Hold the signals that would end us while the child runs, so we can stop the
        // child's whole group first (it is not in our process group any more).
        // Signals we ignore (e.g. SIGINT in a background job) stay ignored and are not held.
        var held = sigset_t()
        sigemptyset(&held)
        for sig in ChildProcess.forwardedSignals where !ChildProcess.isIgnored(sig) { sigaddset(&held, sig) }
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &held, &previousMask)
        defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }

        let argv = ([path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        let envp = ChildProcess.environmentStrings(applying: environment).map { strdup($0) }
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            (envp + [nil]).withUnsafeBufferPointer { envBuffer in
                posix_spawn(&pid, path, &actions, &attributes, argvBuffer.baseAddress!, envBuffer.baseAddress!)
            }
        }
        if spawned != 0 {
            if spawned == ENOENT || spawned == EACCES || spawned == ENOEXEC {
                throw .notFound("cannot run \(path): \(lastErrorText(spawned))")
            }
            throw .cannotRun("cannot run \(path): \(lastErrorText(spawned))")
        }

        let (status, timedOut, interrupted) = waitForChild(pid, held: held)

        var output = Output(exitStatus: nil, signal: nil, stdout: [], stderr: [], stdoutTruncated: false,
                            stderrTruncated: false, timedOut: timedOut)
        if status & 0x7F == 0 {
            output.exitStatus = (status >> 8) & 0xFF
        } else {
            output.signal = status & 0x7F
        }
        (output.stdout, output.stdoutTruncated) = ChildProcess.readBack(outFD, cap: outputCap)
        (output.stderr, output.stderrTruncated) = ChildProcess.readBack(errFD, cap: outputCap)
        if let interrupted {
            // The child is gone; now let the held signal do what it would have done.
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
            raise(interrupted)
        }
        return output
    }

    static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    #if canImport(Glibc)
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc 2.34+ (not in Swift's Glibc module, so looked up).
    private static let addCloseFrom: AddCloseFrom? =
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// Without closefrom: every open descriptor above 2 gets FD_CLOEXEC (we are single-
    /// threaded, and exec is the next thing the child does).
    private static func markDescriptorsCloseOnExec() {
        guard let dir = opendir("/proc/self/fd") else { return }
        var fds: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let fd = Int32(name), fd > 2 { fds.append(fd) }
        }
        closedir(dir)
        for fd in fds { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
    }
    #endif

    /// Polls `waitpid` (1 ms growing to 20 ms between polls) until the child exits, the
    /// timeout passes, or one of the held signals arrives.
    private func waitForChild(_ pid: pid_t, held: sigset_t) -> (status: Int32, timedOut: Bool, interrupted: Int32?) {
        let start = ChildProcess.now()
        var pause = 0.001
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return (status, false, nil) }
            if r < 0, errno != EINTR { return (status, false, nil) }
            if let sig = ChildProcess.pendingHeldSignal(held) {
                return (stopGroup(pid), false, sig)
            }
            if ChildProcess.now() - start >= timeout {
                return (stopGroup(pid), true, nil)
            }
            ChildProcess.sleep(pause)
            pause = min(pause * 2, 0.02)
        }
    }

    /// SIGTERM to the child's group, SIGKILL after the grace period; reaps the child.
    private func stopGroup(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        kill(-pid, SIGTERM)
        let deadline = ChildProcess.now() + killGrace
        while ChildProcess.now() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                kill(-pid, SIGKILL)  // anything the child left behind in its group
                return status
            }
            ChildProcess.sleep(0.01)
        }
        kill(-pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return status
    }

    private static func pendingHeldSignal(_ held: sigset_t) -> Int32? {
        var pending = sigset_t()
        var held = held
        guard sigpending(&pending) == 0 else { return nil }
        return forwardedSignals.first { sigismember(&pending, $0) == 1 && sigismember(&held, $0) == 1 }
    }

    /// Whether the signal's disposition is SIG_IGN.
    private static func isIgnored(_ sig: Int32) -> Bool {
        var action = sigaction()
        guard sigaction(sig, nil, &action) == 0 else { return false }
        #if canImport(Glibc)
        let handler = action.__sigaction_handler.sa_handler
        #else
        let handler = action.__sigaction_u.__sa_handler
        #endif
        return unsafeBitCast(handler, to: Int.self) == 1
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private static func sleep(_ seconds: Double) {
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var rest = timespec()
        while nanosleep(&ts, &rest) != 0, errno == EINTR { ts = rest }
    }

    /// A new temp file, already unlinked, open for reading and writing.
    private static func tempFile() throws(Failure) -> Int32 {
        let dir = Environment.value("TMPDIR") ?? "/tmp"
        var template = Array("\(dir)/mem-propose-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .cannotRun("cannot create a temp file in \(dir): \(lastErrorText())") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    /// Up to `cap` bytes from the start of `fd`, and whether there was more.
    private static func readBack(_ fd: Int32, cap: Int) -> ([UInt8], Bool) {
        guard lseek(fd, 0, SEEK_SET) == 0 else { return ([], false) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while data.count <= cap {
            let want = min(chunk.count, cap + 1 - data.count)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, want) }
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        if data.count > cap { return (Array(data[..<cap]), true) }
        return (data, false)
    }

    /// Our environment as `NAME=value` strings, with `changes` applied.
    static func environmentStrings(applying changes: [String: String?]) -> [String] {
        var result: [String] = []
        var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = environ
        while let entry = pointer.pointee {
            let item = String(cString: entry)
            let name = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? item
            if changes[name] == nil { result.append(item) }
            pointer += 1
        }
        for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
            if let value = value { result.append("\(name)=\(value)") }
        }
        return result
    }
}
