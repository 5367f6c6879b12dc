import Foundation
import Testing
import TestKit

/// One sandboxed user: HOME, llm's user dir, the porcelain "installed" beside this build's
/// tools, the scripted model's rules and call log.
struct PorcelainUser {
    let sandbox: Sandbox
    let binDir: String

    static let sampleProfile = """
        # User profile

        ## Personal Information

        - Name: Ada

        ## Interests

        - Chess

        """
    static let defaultProfile = "# User profile\n\n## Personal Information\n\n## Current Projects\n\n## Interests\n\n## Preferences\n"

    init() throws {
        sandbox = try Sandbox()
        binDir = try sandbox.makeBin()
    }

    func remove() { sandbox.remove() }

    var porcelainPath: String { binDir + "/llm-memory" }
    var dir: String { sandbox.memoryDir }
    var memory: MemoryDirLayout { sandbox.memory }
    var profilePath: String { memory.profile }
    var fragmentPath: String { memory.fragment }
    var cursorPath: String { memory.cursor }
    var againNotePath: String { memory.againNote }
    var draftPath: String { memory.draft }
    var rulesPath: String { path("rules.json") }
    var modelLogPath: String { path("model-calls.jsonl") }

    /// A path inside the sandbox (llm's user dir for "memory/…").
    func path(_ name: String) -> String {
        name.hasPrefix("memory/") ? sandbox.llmUserPath + "/" + name : sandbox.root.appendingPathComponent(name).path
    }

    /// PATH is the build's tools, llm's venv and the system; the update's model is `scripted`.
    var environment: [String: String] {
        sandbox.scriptedModelEnvironment(binDir: Repo.binDir.path, rules: rulesPath, log: modelLogPath)
    }

    /// Runs the porcelain to completion. `closingFileDescriptors`: through a runner that
    /// passes on only stdin, stdout and stderr — for `update --background`, whose detached
    /// update would otherwise inherit the descriptor Foundation's Process (on Linux)
    /// watches for the child's exit, so `run` would wait for the detached update too.
    func porcelain(_ args: [String], env: [String: String] = [:], stdin: Data? = nil,
                   closingFileDescriptors: Bool = false) throws -> RunResult {
        var environment = environment
        environment.merge(env) { $1 }
        if closingFileDescriptors {
            let runner = PorcelainUser.fdClosingRunner
            return try run(runner[0], Array(runner.dropFirst()) + [porcelainPath] + args,
                           stdin: stdin, environment: environment)
        }
        return try run(porcelainPath, args, stdin: stdin, environment: environment)
    }

    /// `python -c …`: runs its arguments with only fds 0–2 (subprocess's close_fds) and
    /// exits with their status.
    static var fdClosingRunner: [String] {
        let python = URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().appendingPathComponent("python").path
        return [python, "-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"]
    }

    /// Memory set up before the conversations it is to learn from (see the free function).
    @discardableResult
    func setUpMemory(env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        try EndToEndTests.setUpMemory(porcelain: porcelainPath, environment: environment.merging(env) { $1 },
                                      sourceLocation: sourceLocation)
    }

    /// The user types a prompt into the real llm (echo model); llm logs it.
    @discardableResult
    func logPrompt(_ prompt: String) throws -> RunResult {
        try run(Repo.llm, ["-m", "echo", prompt], environment: environment)
    }

    func setRules(_ rules: [[String: Any]]) throws {
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: rulesPath), options: .atomic)
    }

    static func delta(adding text: String) -> String {
        let op: [String: Any] = ["op": "add", "section": "Personal Information", "text": text, "ex": 1]
        let data = try! JSONSerialization.data(withJSONObject: ["ops": [op]])
        return String(decoding: data, as: UTF8.self)
    }

    /// Puts `text` in place as the profile through `load` (which also renders).
    func loadProfile(_ text: String) throws {
        let file = path("initial-profile.md")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let load = try porcelain(["load", file])
        #expect(load.status == 0, "\(load.err)")
    }

    /// A shell script in the sandbox; `executable: false` leaves it 0644.
    func script(_ name: String, executable: Bool = true, _ body: String) throws -> String {
        let file = path(name)
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: file)
        return file
    }

    func read(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    func mode(_ path: String) -> Int? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue
    }

    func modelCalls() -> Int {
        (read(modelLogPath) ?? "").split(separator: "\n").count
    }

    func journal() -> [[String: Any]] {
        (read(memory.journal) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The texts of the profiles kept in history/.
    func historyProfiles() -> [String] {
        let history = memory.historyDir
        let names = (try? FileManager.default.contentsOfDirectory(atPath: history)) ?? []
        return names.filter { $0.hasPrefix("profile-") }.sorted().compactMap { read(history + "/" + $0) }
    }

    /// Waits (bounded) until no update holds the memory dir's lock: taking it ourselves
    /// means any update that had it has exited (the kernel drops a lock at exit).
    @discardableResult
    func waitForUpdatesToFinish() -> Bool {
        guard FileManager.default.fileExists(atPath: dir),
              let result = try? run("/usr/bin/flock", ["-w", "20", dir, "true"], environment: ["PATH": "/usr/bin:/bin"])
        else { return true }
        return result.status == 0
    }

    /// What `last-update` says of the last update: its time, outcome ("ok" or "failed") and
    /// message, one per line; nil when there is no such file.
    func lastUpdate() -> (time: String, outcome: String, message: String)? {
        guard let lines = read(memory.lastUpdate)?.split(separator: "\n", omittingEmptySubsequences: false),
              lines.count >= 3 else { return nil }
        return (String(lines[0]), String(lines[1]), String(lines[2]))
    }

    /// The cursor file's token (one line), or nil when there is none.
    func cursor() -> String? {
        read(cursorPath)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The cursor of the newest exchange llm has logged, as mem-extract gives it.
    func newestCursor() -> String? {
        guard let extracted = try? run(Repo.tool("mem-extract"), [], environment: environment) else { return nil }
        return extracted.out.split(separator: "\n").last.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }?["cursor"] as? String
    }

    /// An `llm` for mem-propose (LLM_MEMORY_LLM) that marks when it was called, then waits
    /// for the test to open the gate before running the real llm: the test decides when
    /// the model "answers", so nothing depends on timing.
    func gatedLLM() throws -> ModelGate {
        let started = path("gate.started"), go = path("gate.go")
        let shim = try script("gated-llm", """
            : >"\(started)"
            i=0
            while [ ! -e "\(go)" ]; do
              i=$((i + 1))
              [ "$i" -le 1200 ] || exit 75
              sleep 0.05
            done
            exec "\(Repo.llm)" "$@"
            """)
        return ModelGate(startedPath: started, goPath: go, env: ["LLM_MEMORY_LLM": shim])
    }

    /// Starts the porcelain as a long-running process (stdout/stderr to files).
    func start(_ args: [String], env: [String: String] = [:], name: String) throws -> PorcelainProcess {
        var environment = environment
        environment.merge(env) { $1 }
        let out = path("\(name).out"), err = path("\(name).err")
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: porcelainPath)
        process.arguments = args
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        return PorcelainProcess(process: process, errPath: err)
    }
}

struct ModelGate {
    let startedPath: String
    let goPath: String
    let env: [String: String]
    var started: Bool { FileManager.default.fileExists(atPath: startedPath) }
    func open() { _ = FileManager.default.createFile(atPath: goPath, contents: nil) }
}

struct PorcelainProcess {
    let process: Process
    let errPath: String
    var err: String {
        (try? Data(contentsOf: URL(fileURLWithPath: errPath))).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
    /// Waits (bounded) for the process to exit; true when it did.
    func wait(seconds: Double = 20) -> Bool {
        waitUntil(seconds: seconds) { !process.isRunning }
    }
    /// Cleanup: a process still running at the end of a test is terminated.
    func stop() {
        if process.isRunning {
            process.terminate()
            _ = wait(seconds: 5)
        }
    }
}
