import Foundation
import Testing
import TestKit

// Support for the shell-integration tests: real bash, zsh and fish, each in its own
// sandbox, run either with a command line (`bash -ic`, `zsh -ic`, `fish -c`) or
// interactively under a private tmux server.

/// The three shells the `llm` wrapper supports, as the tests drive them.
enum Shell: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case bash, zsh, fish

    var testDescription: String { rawValue }

    /// The installed shell (Debian's /usr/bin first, then Homebrew's places), if any.
    var path: String? {
        for dir in ["/usr/bin", "/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
            let candidate = "\(dir)/\(rawValue)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The shell's path; cancels (skips) the current test case when it is not installed.
    func require() throws -> String {
        guard let path else {
            #if compiler(>=6.3)
            try Test.cancel("\(rawValue) is not installed (.ci/run installs it)")
            #else
            throw SkipUnavailable(what: rawValue)  // not reached: see `casesCanBeSkipped`
            #endif
        }
        return path
    }

    /// Whether the shell tests can run: each test case skips itself when its shell is
    /// missing (Test.cancel, Swift 6.3); with an older compiler all need every shell.
    static var casesCanBeSkipped: Bool {
        #if compiler(>=6.3)
        true
        #else
        allCases.allSatisfy { $0.path != nil } && TmuxSession.available
        #endif
    }

    /// The file `llm-memory install-shell` writes, relative to HOME (with ZDOTDIR and
    /// XDG_CONFIG_HOME unset, as in every test here).
    var rcFile: String {
        switch self {
        case .bash: ".bashrc"
        case .zsh: ".zshrc"
        case .fish: ".config/fish/conf.d/llm-memory.fish"
        }
    }

    /// Arguments that run `script` as a command line of the user's shell: bash -i reads
    /// ~/.bashrc, zsh -i reads ~/.zshrc; fish reads conf.d (and config.fish) always.
    func arguments(running script: String) -> [String] {
        switch self {
        case .bash, .zsh: ["-i", "-c", script]
        case .fish: ["-c", script]
        }
    }

    /// The exit status of the last command, in this shell's syntax.
    var lastStatus: String { self == .fish ? "$status" : "$?" }

    /// The whole text of a file as one argument (trailing newlines are dropped, as
    /// command substitution does in every shell).
    func contents(of file: String) -> String {
        self == .fish ? "(cat \(quoted(file)) | string collect)" : "\"$(cat \(quoted(file)))\""
    }

    /// A single-quoted word.
    func quoted(_ text: String) -> String {
        switch self {
        case .fish:
            "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        case .bash, .zsh:
            "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
    }

    /// A command that prints "function" when `llm` is the wrapper function.
    var llmKind: String {
        switch self {
        case .bash: "type -t llm"
        case .zsh: "whence -w llm"
        case .fish: "type -t llm"
        }
    }

    /// Startup lines for an interactive session with a fixed prompt and nothing else on
    /// screen (no greeting, no right prompt, no autosuggestions).
    var interactiveSetup: String {
        switch self {
        case .bash: "PS1='\(Shell.promptMark)$ '\nPROMPT_COMMAND=\n"
        case .zsh: "PROMPT='\(Shell.promptMark)%% '\nRPROMPT=''\nunsetopt PROMPT_SP\n"
        case .fish:
            "set -g fish_greeting ''\nset -g fish_autosuggestion_enabled 0\n"
                + "function fish_prompt\n    printf '\(Shell.promptMark)> '\nend\n"
                + "function fish_right_prompt\nend\n"
        }
    }

    /// The prompt as it appears on screen.
    var prompt: String {
        switch self {
        case .bash: "\(Shell.promptMark)$ "
        case .zsh: "\(Shell.promptMark)% "
        case .fish: "\(Shell.promptMark)> "
        }
    }

    static let promptMark = "READY"
}

extension Repo {
    /// The bin dir of the llm 0.36 venv.
    static var venvBin: String { URL(fileURLWithPath: llm).deletingLastPathComponent().path }
}

struct SkipUnavailable: Error, CustomStringConvertible {
    var what: String
    var description: String { "\(what) is not installed" }
}

/// A shell's view of one sandbox: the environment a user of that shell would have
/// (PATH with the built tools and the real llm 0.36, a scratch HOME and LLM_USER_PATH,
/// no ZDOTDIR or XDG_CONFIG_HOME), a work dir the scripts run in, and helpers to read
/// what they wrote.
struct ShellSandbox {
    let shell: Shell
    let shellPath: String
    let sandbox: Sandbox
    var environment: [String: String]

    var home: String { sandbox.home }
    var memoryDir: String { sandbox.memoryDir }
    var memory: MemoryDirLayout { sandbox.memory }
    var work: String { sandbox.root.appendingPathComponent("work").path }
    var rcPath: String { home + "/" + shell.rcFile }
    var updateLog: String { sandbox.memory.updateLog }
    var cursorFile: String { sandbox.memory.cursor }

    /// `llmBin` replaces the venv's bin dir on PATH (a test's own llm install).
    init(_ shell: Shell, llmBin: String = Repo.venvBin) throws {
        self.shell = shell
        shellPath = try shell.require()
        sandbox = try Sandbox()
        try FileManager.default.createDirectory(atPath: sandbox.root.appendingPathComponent("work").path,
                                                withIntermediateDirectories: true)
        let inherited = ProcessInfo.processInfo.environment
        environment = [
            "PATH": "\(Repo.binDir.path):\(llmBin):/usr/bin:/bin",
            "HOME": sandbox.home,
            "LLM_USER_PATH": sandbox.llmUserPath,
            "SHELL": shellPath,
            "LANG": inherited["LANG"].flatMap { $0.uppercased().contains("UTF") ? $0 : nil } ?? "C.UTF-8",
            "TMPDIR": sandbox.root.path,
            "USER": inherited["USER"] ?? "tester",
        ]
    }

    // MARK: files

    func path(_ name: String) -> String { name.hasPrefix("/") ? name : work + "/" + name }

    func write(_ text: String, to name: String) throws {
        let url = URL(fileURLWithPath: path(name))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ name: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path(name)))).map { String(decoding: $0, as: UTF8.self) }
    }

    func bytes(_ name: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path(name))) }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    /// A profile with a bullet no model would invent, rendered into the fragment.
    static let marker = "ZEBRA-PURPLE-42"
    static let profile = """
        # User profile

        ## Personal Information

        - Favourite test marker: \(marker)

        ## Current Projects

        ## Interests

        ## Preferences

        """

    /// Writes the profile and, unless `render` is false (a profile written by hand), its
    /// fragment.
    func writeProfile(_ text: String = ShellSandbox.profile, render rendering: Bool = true) async throws {
        try FileManager.default.createDirectory(atPath: memoryDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Data(text.utf8).write(to: URL(fileURLWithPath: sandbox.memory.profile))
        guard rendering else { return }
        let render = try await porcelain(["render"])
        #expect(render.status == 0, "llm-memory render: \(render.err)")
    }

    // MARK: running things

    /// Runs the porcelain (by default this checkout's bin/llm-memory).
    func porcelain(_ arguments: [String], from program: String = Repo.porcelain,
                   environment extra: [String: String] = [:]) async throws -> RunResult {
        try await runAsync(program, arguments, environment: environment.merging(extra) { $1 }, cwd: work)
    }

    /// `llm-memory install-shell <shell>` into the sandbox HOME.
    @discardableResult
    func install(from program: String = Repo.porcelain) async throws -> RunResult {
        let result = try await porcelain(["install-shell", shell.rawValue], from: program)
        #expect(result.status == 0, "install-shell \(shell): \(result.err)")
        return result
    }

    /// Runs `script` as one command line of the shell, in the work dir, stdin empty.
    func run(_ script: String, environment extra: [String: String] = [:], timeout: Double = 120) async throws -> RunResult {
        try await runAsync(shellPath, shell.arguments(running: script), stdin: Data(),
                           environment: environment.merging(extra) { $1 }, cwd: work, timeout: timeout)
    }

    /// One line of a script: runs `command` with stdout, stderr and the exit status going
    /// to `name.out`, `name.err`, `name.status` in the work dir. `stdin` nil leaves the
    /// command's stdin alone (for a pipeline that feeds it).
    func step(_ name: String, _ command: String, stdin: String? = "/dev/null") -> String {
        let input = stdin.map { " <\($0)" } ?? ""
        return "\(command) >\(name).out 2>\(name).err\(input); echo \(shell.lastStatus) >\(name).status"
    }

    /// What `step(name, …)` recorded.
    func result(_ name: String) -> StepResult {
        StepResult(name: name,
                   stdout: bytes(name + ".out") ?? Data(),
                   stderr: bytes(name + ".err") ?? Data(),
                   status: read(name + ".status").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    }

    // MARK: updates

    /// Whether no update holds the lock (an exclusive flock on the memory dir).
    func updateLockIsFree() async -> Bool {
        await EndToEndTests.updateLockIsFree(memoryDir, environment: environment)
    }

    /// The `== … update (pid N)` headers of the background-update log.
    func updateRuns() -> [(line: Int, pid: Int32)] { EndToEndTests.updateRuns(inLog: read(updateLog)) }

    /// Waits (bounded) until every background update has finished, so no update outlives
    /// the test: the lock is free and no process named in the log is alive.
    @discardableResult
    func waitForUpdatesToFinish(timeout: Double = 30) async throws -> Bool {
        await eventually(timeout: timeout, every: 0.2) {
            guard updateRuns().allSatisfy({ !isAlive($0.pid) }) else { return false }
            return await updateLockIsFree()
        }
    }

    /// Stops a tmux server the test started, waits for background updates, removes it all.
    func remove() async {
        let socket = sandbox.root.appendingPathComponent("tmux.sock").path
        if let tmux = TmuxSession.path, FileManager.default.fileExists(atPath: socket) {
            _ = try? await runAsync(tmux, ["-S", socket, "kill-server"], environment: environment, timeout: 20)
        }
        _ = try? await waitForUpdatesToFinish()
        sandbox.remove()
    }
}

/// What one `step` of a script recorded.
struct StepResult: CustomStringConvertible {
    var name: String
    var stdout: Data
    var stderr: Data
    var status: Int32?
    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
    var errLines: [Substring] { err.split(separator: "\n") }

    /// The echo model's answer: a JSON object with the `prompt` and `system` it received
    /// (for `llm chat`, the object between the chat's own lines).
    var echo: EchoReply? {
        guard let start = out.firstIndex(of: "{"), let end = out.lastIndex(of: "}") else { return nil }
        let json = Data(out[start...end].utf8)
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        return EchoReply(prompt: object["prompt"] as? String, system: object["system"] as? String)
    }

    /// `llm logs --json`: the logged rows, oldest first.
    var logs: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: stdout) as? [[String: Any]]) ?? []
    }

    var description: String { "\(name): status \(status.map(String.init) ?? "none"), stdout \(out.debugDescription), stderr \(err.debugDescription)" }
}

struct EchoReply {
    var prompt: String?
    var system: String?
}

/// Byte-for-byte (UTF-8) equality: Swift's `==` on strings treats canonically equivalent
/// texts (é and e + U+0301) as equal.
func sameBytes(_ a: String?, _ b: String?) -> Bool {
    a.map { Array($0.utf8) } == b.map { Array($0.utf8) }
}

/// Limits how many shell tests run at once: each starts several Python `llm` processes
/// (about a CPU-second each), and background updates must finish within the tests'
/// bounded waits even on a 2-core CI machine.
actor TestSlots {
    static let shared = TestSlots(width: max(3, min(4, ProcessInfo.processInfo.activeProcessorCount + 1)))
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = width }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// Runs `body` in its own sandbox for `shell`, holding a test slot; waits for background
/// updates to finish and removes the sandbox afterwards.
func withShellSandbox<T>(_ shell: Shell, llmBin: String = Repo.venvBin,
                         _ body: (ShellSandbox) async throws -> T) async throws -> T {
    _ = try shell.require()
    await TestSlots.shared.acquire()
    let sandbox: ShellSandbox
    do {
        sandbox = try ShellSandbox(shell, llmBin: llmBin)
    } catch {
        await TestSlots.shared.release()
        throw error
    }
    do {
        let value = try await body(sandbox)
        await sandbox.remove()
        await TestSlots.shared.release()
        return value
    } catch {
        await sandbox.remove()
        await TestSlots.shared.release()
        throw error
    }
}

// MARK: - tmux

/// An interactive shell in a private tmux server (its own socket in the sandbox, no
/// config file, a fixed window size), driven with send-keys and read with capture-pane.
struct TmuxSession {
    static var path: String? {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var available: Bool { path != nil }

    let tmux: String
    let socket: String
    let environment: [String: String]
    let target = "main"

    /// Starts `<shell> -i` in a new detached session.
    init(_ sandbox: ShellSandbox, width: Int = 150, height: Int = 40) async throws {
        guard let tmux = TmuxSession.path else { throw SkipUnavailable(what: "tmux") }  // the test is disabled then
        self.tmux = tmux
        socket = sandbox.sandbox.root.appendingPathComponent("tmux.sock").path
        environment = sandbox.environment
        let started = try await runAsync(tmux, ["-S", socket, "-f", "/dev/null", "new-session", "-d",
                                                "-x", "\(width)", "-y", "\(height)", "-s", target,
                                                sandbox.shellPath, "-i"],
                                         environment: environment, cwd: sandbox.work, timeout: 20)
        #expect(started.status == 0, "tmux new-session: \(started.err)")
    }

    private func tmuxCommand(_ arguments: [String]) async throws -> RunResult {
        try await runAsync(tmux, ["-S", socket] + arguments, environment: environment, timeout: 20)
    }

    /// Types `line` and presses Enter.
    func type(_ line: String) async throws {
        _ = try await tmuxCommand(["send-keys", "-t", target, "-l", line])
        _ = try await tmuxCommand(["send-keys", "-t", target, "Enter"])
    }

    /// The visible screen, wrapped lines joined, trailing spaces kept as tmux gives them.
    func screen() async throws -> String {
        try await tmuxCommand(["capture-pane", "-p", "-J", "-t", target]).out
    }

    /// The screen's non-blank lines, right-trimmed.
    func lines() async throws -> [String] {
        try await screen().split(separator: "\n").map { line in
            var text = String(line)
            while text.last == " " { text.removeLast() }
            return text
        }.filter { !$0.isEmpty }
    }

    /// Waits (bounded) until `condition` holds for the screen's lines; returns them.
    func waitFor(timeout: Double = 20, _ condition: ([String]) -> Bool) async throws -> [String]? {
        var last: [String] = []
        let held = try await eventually(timeout: timeout, every: 0.2) {
            last = try await lines()
            return condition(last)
        }
        return held ? last : nil
    }

    func kill() async {
        _ = try? await tmuxCommand(["kill-server"])
    }
}
