import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Starting, waiting for and polling processes: one implementation for every end-to-end
// suite (the shell, porcelain, security, crash and concurrency tests).

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The scratch files a run's stdin, stdout and stderr go through (no pipe can fill up and
/// block), in a directory of their own.
struct RunFiles {
    let scratch: URL
    var input: String { scratch.appendingPathComponent("in").path }
    var output: String { scratch.appendingPathComponent("out").path }
    var error: String { scratch.appendingPathComponent("err").path }

    /// Creates the directory, `in` holding `stdin` (empty when nil), and empty `out` and `err`.
    init(stdin: Data?) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try (stdin ?? Data()).write(to: URL(fileURLWithPath: input))
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: error, contents: nil)
    }

    /// What the run wrote, with its exit status.
    func result(status: Int32) throws -> RunResult {
        RunResult(status: status, stdout: try Data(contentsOf: URL(fileURLWithPath: output)),
                  stderr: try Data(contentsOf: URL(fileURLWithPath: error)))
    }

    func remove() { try? FileManager.default.removeItem(at: scratch) }
}

/// `run(…)` without blocking a thread of the test pool while the program runs, with a
/// time limit (its process group is killed, status 137, when it is reached).
///
/// On Linux the program is started by `spawnInGroup`, with every descriptor above 2
/// closed: Foundation's `Process` hands each child a socket whose end-of-file tells it
/// the child exited, so a daemon the child leaves behind (a tmux server, a detached
/// `llm-memory update`) would make the child look alive until the daemon exits.
func runAsync(_ executable: String, _ arguments: [String], stdin: Data? = nil,
              environment: [String: String], cwd: String? = nil, timeout: Double = 120) async throws -> RunResult {
    let files = try RunFiles(stdin: stdin)
    defer { files.remove() }
    guard spawnClosesInheritedDescriptors else {
        return try files.result(status: try await processAndWait(executable, arguments, environment: environment, cwd: cwd,
                                                                 files: files, timeout: timeout))
    }
    let pid = try spawnInGroup(executable, arguments, env: environment, stdin: files.input,
                               stdout: files.output, stderr: files.error, cwd: cwd)
    var status = await reap(pid, timeout: timeout)
    if status == nil {
        kill(-pid, SIGKILL)
        status = await reap(pid, timeout: 10)
    }
    return try files.result(status: status.map { exitCode($0) } ?? 137)
}

/// The exit status of a `waitpid` status: the program's, or 128 + the signal that killed it.
func exitCode(_ status: Int32) -> Int32 {
    let signal = status & 0x7F
    return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
}

func exitCode(_ status: Int32?) -> Int32? { status.map { exitCode($0) } }

/// Whether a `waitpid` status says SIGKILL ended the process.
func isKilled(_ status: Int32?) -> Bool {
    guard let status else { return false }
    return status & 0x7F == SIGKILL
}

/// Whether a process is running (a zombie is not).
func isAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
}

/// Waits for a child without blocking a thread (polls waitpid); nil on timeout.
func reap(_ pid: pid_t, timeout: Double) async -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    var pause: UInt64 = 1_000_000
    while true {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { return status }
        if r < 0, errno != EINTR { return nil }
        let left = deadline.timeIntervalSinceNow
        if left <= 0 { return nil }
        try? await Task.sleep(nanoseconds: min(pause, UInt64(left * 1e9) + 1))
        pause = min(pause * 2, 10_000_000)
    }
}

/// Polls `condition` until it holds or `timeout` seconds have passed (checked at least
/// once more at the end); returns whether it held.
func eventually(timeout: Double = 20, every interval: Double = 0.1,
                _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
    }
    return try await condition()
}

/// The same for synchronous tests: polls `condition` every 50 ms for up to `seconds`;
/// true as soon as it holds.
func waitUntil(seconds: Double = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if condition() { return true }
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: 0.05)
    }
}

/// Writes an executable (0755) sh script: `#!/bin/sh`, then `body`.
func writeExecutable(_ path: String, _ body: String) throws {
    try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
}

// MARK: - The update lock

/// Whether no update holds the memory dir's update lock (an exclusive flock on the dir).
func updateLockIsFree(_ memoryDir: String, environment: [String: String]) async -> Bool {
    guard FileManager.default.fileExists(atPath: memoryDir) else { return true }
    let free = try? await runAsync("/usr/bin/env", ["flock", "-n", memoryDir, "true"], environment: environment, timeout: 10)
    return free?.status == 0
}

/// The `== … update (pid N)` headers of a background-update log (`log/updates.log`).
func updateRuns(inLog log: String?) -> [(line: Int, pid: Int32)] {
    guard let log else { return [] }
    return log.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
        guard line.hasPrefix("== "), let range = line.range(of: "(pid ") else { return nil }
        let digits = line[range.upperBound...].prefix { $0.isNumber }
        return Int32(digits).map { (index, $0) }
    }
}

/// Holds the memory dir's update lock (flock on the directory, as the porcelain takes it)
/// from another process until released: closing its stdin ends it.
final class UpdateLockHolder {
    let process = Process()
    let input = Pipe()
    private var released = false

    init(dir: String, sandbox: Sandbox) throws {
        let ready = sandbox.root.appendingPathComponent("lock-held-\(UUID().uuidString)").path
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"exec 9<"$1" && flock 9 && : >"$2" && read -r line"#, "lock-holder", dir, ready]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try #require(waitUntil { FileManager.default.fileExists(atPath: ready) }, "the lock holder took the lock")
    }

    func release() {
        guard !released else { return }
        released = true
        try? input.fileHandleForWriting.close()
        if !waitUntil(seconds: 10, { !self.process.isRunning }) { process.terminate() }
    }
}

// MARK: - posix_spawn

#if os(Linux)
private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
// glibc 2.34 / 2.29 extensions, not in Swift's Glibc module.
private let spawnAddCloseFrom: AddCloseFrom? =
    dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }
private let spawnAddChdir: AddChdir? =
    dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
/// Whether `spawnInGroup` closes every inherited descriptor above 2 and can set the cwd.
private let spawnClosesInheritedDescriptors = spawnAddCloseFrom != nil && spawnAddChdir != nil
#else
private let spawnClosesInheritedDescriptors = false
#endif

/// Starts a program in a process group of its own (so the whole group can be killed),
/// with only stdin, stdout and stderr (files, or `stdinFD`; on Linux every descriptor
/// above 2 is closed) and default signal handling.
func spawnInGroup(_ executable: String, _ arguments: [String], env: [String: String], stdin: String? = nil,
                  stdinFD: Int32? = nil, stdout: String, stderr: String, cwd: String?) throws -> pid_t {
    let inFD = stdinFD ?? open(stdin ?? "/dev/null", O_RDONLY | O_CLOEXEC)
    let outFD = open(stdout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let errFD = open(stderr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer {
        if stdinFD == nil, inFD >= 0 { close(inFD) }
        for fd in [outFD, errFD] where fd >= 0 { close(fd) }
    }
    guard inFD >= 0, outFD >= 0, errFD >= 0 else { throw TestError("cannot open the files for \(executable): \(errno)") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inFD, 0)
    posix_spawn_file_actions_adddup2(&actions, outFD, 1)
    posix_spawn_file_actions_adddup2(&actions, errFD, 2)
    #if os(Linux)
    if let spawnAddCloseFrom { _ = spawnAddCloseFrom(&actions, 3) }
    if let cwd, let spawnAddChdir { _ = spawnAddChdir(&actions, cwd) }
    #endif
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    posix_spawnattr_setpgroup(&attributes, 0)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2] {
        sigaddset(&defaults, signal)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard spawned == 0 else { throw TestError("cannot start \(executable): \(spawned)") }
    return pid
}

/// `runAsync` with Foundation's Process (where posix_spawn's extensions are missing).
private func processAndWait(_ executable: String, _ arguments: [String], environment: [String: String], cwd: String?,
                            files: RunFiles, timeout: Double) async throws -> Int32 {
    let (process, handles) = try makeProcess(executable, arguments, environment: environment, cwd: cwd, files: files)
    defer { for handle in handles { try? handle.close() } }
    let box = ProcessBox(process)
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
        process.terminationHandler = { _ in continuation.resume() }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
            return
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if box.process.isRunning { box.process.terminate() }
        }
    }
    return process.terminationStatus
}

private final class ProcessBox: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}
