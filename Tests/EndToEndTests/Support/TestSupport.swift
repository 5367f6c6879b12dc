import Foundation
import Testing

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
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let inURL = scratch.appendingPathComponent("in")
    let outURL = scratch.appendingPathComponent("out")
    let errURL = scratch.appendingPathComponent("err")
    try (stdin ?? Data()).write(to: inURL)
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let inHandle = try FileHandle(forReadingFrom: inURL)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    process.standardInput = inHandle
    process.standardOutput = outHandle
    process.standardError = errHandle
    try process.run()
    process.waitUntilExit()
    try? inHandle.close(); try? outHandle.close(); try? errHandle.close()
    return RunResult(status: process.terminationStatus,
                     stdout: try Data(contentsOf: outURL),
                     stderr: try Data(contentsOf: errURL))
}

/// A scratch HOME + LLM_USER_PATH (+ memory dir) per test, so no test ever touches the
/// real user's llm files and tests can run in parallel.
struct Sandbox {
    let root: URL
    var home: String { root.appendingPathComponent("home").path }
    var llmUserPath: String { root.appendingPathComponent("llm").path }
    var memoryDir: String { llmUserPath + "/memory" }
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
}
