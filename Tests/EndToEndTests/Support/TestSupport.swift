import Foundation
import Testing
import TestKit

/// Paths the end-to-end tests need: the repository, the built tools, the pinned llm venvs.
enum Repo {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The directory holding the built executables (beside the test bundle).
    static let binDir: URL = {
        let bundle = Bundle.main.bundleURL
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("mem-extract").path) {
                return candidate
            }
        }
        for config in ["debug", "release"] {
            let url = root.appendingPathComponent(".build/\(config)")
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("mem-extract").path) {
                return url
            }
        }
        fatalError("built mem-* tools not found; run `swift build` first")
    }()

    static func tool(_ name: String) -> String { binDir.appendingPathComponent(name).path }

    static var venvs: URL {
        if let dir = ProcessInfo.processInfo.environment["LLM_TEST_VENVS"] { return URL(fileURLWithPath: dir) }
        return root.appendingPathComponent(".venv-test")
    }

    /// The real llm 0.36 CLI (with llm-echo and the test-only `scripted` model).
    static var llm: String { venvs.appendingPathComponent("llm-0.36/bin/llm").path }
    /// The real llm 0.31.1 CLI (legacy schema).
    static var llmLegacy: String { venvs.appendingPathComponent("llm-0.31.1/bin/llm").path }

    static var llmAvailable: Bool { FileManager.default.isExecutableFile(atPath: llm) }

    static func fixture(_ name: String) -> String {
        root.appendingPathComponent("Tests/Fixtures/\(name)").path
    }

    /// The porcelain in this checkout.
    static var porcelain: String { root.appendingPathComponent("bin/llm-memory").path }

    /// The tools the porcelain runs: the four stages in pipeline order, then mem-history
    /// and mem-backfill.
    static let tools = ["mem-extract", "mem-propose", "mem-merge", "mem-render", "mem-history", "mem-backfill"]
}

struct RunResult {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs a program to completion with the given stdin and environment; stdout and stderr
/// go through files, so no pipe can fill up and block.
@discardableResult
func run(_ executable: String, _ arguments: [String], stdin: Data? = nil,
         environment: [String: String], cwd: String? = nil) throws -> RunResult {
    let files = try RunFiles(stdin: stdin)
    defer { files.remove() }
    let (process, handles) = try makeProcess(executable, arguments, environment: environment, cwd: cwd, files: files)
    try process.run()
    process.waitUntilExit()
    for handle in handles { try? handle.close() }
    return try files.result(status: process.terminationStatus)
}

/// A `Process` for `executable` with stdin, stdout and stderr on `files`, not yet run;
/// the caller closes the handles once it has ended.
func makeProcess(_ executable: String, _ arguments: [String], environment: [String: String], cwd: String?,
             files: RunFiles) throws -> (Process, [FileHandle]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: files.input))
    let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: files.output))
    let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: files.error))
    process.standardInput = inHandle
    process.standardOutput = outHandle
    process.standardError = errHandle
    return (process, [inHandle, outHandle, errHandle])
}

/// A scratch HOME + LLM_USER_PATH (+ memory dir) per test, so no test ever touches the
/// real user's llm files and tests can run in parallel.
struct Sandbox {
    let root: URL
    var home: String { root.appendingPathComponent("home").path }
    var llmUserPath: String { root.appendingPathComponent("llm").path }
    var memoryDir: String { llmUserPath + "/memory" }
    /// The memory dir's files (README: Files).
    var memory: MemoryDirLayout { MemoryDirLayout(memoryDir) }
    var logsDB: String { llmUserPath + "/logs.db" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("llm-memory-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("home").path,
                                                withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("llm").path,
                                                withIntermediateDirectories: true)
    }

    /// A minimal, explicit environment: PATH with the built tools first, the sandbox dirs.
    var environment: [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        return [
            "PATH": "\(Repo.binDir.path):\(Repo.root.path)/bin:\(URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().path):/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "LLM_USER_PATH": llmUserPath,
            "LANG": inherited["LANG"] ?? "C.UTF-8",
            "TMPDIR": root.path,
        ]
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// `environment` with PATH = `binDir`, llm's venv and the system, and updates that
    /// call the test-only `scripted` model, driven by `rules` and logging its calls to
    /// `log` (what the user types goes to `echo`, so the log holds only update calls).
    func scriptedModelEnvironment(binDir: String, rules: String, log: String) -> [String: String] {
        var env = environment
        let venvBin = URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().path
        env["PATH"] = "\(binDir):\(venvBin):/usr/bin:/bin"
        env["LLM_MEMORY_MODEL"] = "scripted"
        env["LLM_SCRIPTED_RULES"] = rules
        env["LLM_SCRIPTED_LOG"] = log
        return env
    }

    /// Makes the dir `name` in the sandbox hold the porcelain (a link to `porcelain`) beside
    /// the four tools, where the porcelain looks for its tools first: links to `realTool(tool)`
    /// (this build's), or with `shim`, sh scripts whose body is `shim(tool, real path)`.
    /// Returns the dir's path.
    @discardableResult
    func makeBin(_ name: String = "bin", porcelain: String = Repo.porcelain, realTool: (String) -> String = Repo.tool,
                 shim: ((_ tool: String, _ real: String) -> String)? = nil) throws -> String {
        let bin = root.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/llm-memory", withDestinationPath: porcelain)
        for tool in Repo.tools {
            if let shim {
                try writeExecutable(bin + "/" + tool, shim(tool, URL(fileURLWithPath: realTool(tool)).resolvingSymlinksInPath().path))
            } else {
                try FileManager.default.createSymbolicLink(atPath: bin + "/" + tool, withDestinationPath: realTool(tool))
            }
        }
        return bin
    }
}

/// The facts of a profile the `facts` model filled ("- Likes fact-0037" gives "fact-0037"),
/// in order.
func likedFacts(inProfile text: String?) -> [String] {
    (text ?? "").split(separator: "\n").compactMap { line in
        line.hasPrefix("- Likes fact-") ? String(line.dropFirst("- Likes ".count)) : nil
    }
}

/// The token in a memory dir's cursor file, or nil when there is none.
func cursorToken(_ memoryDir: String) -> String? {
    (try? String(contentsOfFile: MemoryDirLayout(memoryDir).cursor, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
}

// MARK: - Memory set up before the conversations it learns

/// Memory is set up the way a user sets it up, before the conversations it is to learn
/// from: the first `llm-memory update` (as install-shell would) fixes memory's starting
/// point — the `origin` file — at the newest exchange llm has logged so far, and the
/// cursor there. What is logged afterwards is learned by updates; what was logged before
/// only by `llm memory backfill` (issue 11). Returns the cursor it leaves.
@discardableResult
func setUpMemory(porcelain: String = Repo.porcelain, environment: [String: String],
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
    expectMemorySetUp(try run(porcelain, ["update"], environment: environment), environment: environment,
                      sourceLocation: sourceLocation)
}

/// `setUpMemory` for async tests.
@discardableResult
func setUpMemoryAsync(porcelain: String, environment: [String: String], cwd: String? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> String? {
    expectMemorySetUp(try await runAsync(porcelain, ["update"], environment: environment, cwd: cwd), environment: environment,
                      sourceLocation: sourceLocation)
}

/// The first update worked and memory has its starting point; the cursor it left.
private func expectMemorySetUp(_ update: RunResult, environment: [String: String], sourceLocation: SourceLocation) -> String? {
    #expect(update.status == 0, "the first update, which sets memory up: \(update.err)", sourceLocation: sourceLocation)
    let dir = memoryDir(in: environment)
    #expect(FileManager.default.fileExists(atPath: MemoryDirLayout(dir).origin), "no origin in \(dir) after the first update",
            sourceLocation: sourceLocation)
    return cursorToken(dir)
}

/// The memory dir an environment names: LLM_MEMORY_DIR, else `<LLM_USER_PATH>/memory`.
func memoryDir(in environment: [String: String]) -> String {
    environment["LLM_MEMORY_DIR"] ?? ((environment["LLM_USER_PATH"] ?? "") + "/memory")
}
