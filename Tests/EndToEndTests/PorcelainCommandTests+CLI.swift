import Foundation
import Testing

/// The porcelain as a command-line program: usage errors, help, llm's command list, and
/// the script itself (shellcheck, dash).
extension PorcelainCommandTests {
    // MARK: - Tests: usage

    @Test(arguments: [["nonsense"], ["path", "--bogus"], ["load"], ["load", "a", "b"],
                      ["update", "--bogus"], ["clear", "--bogus"]])
    func aUsageErrorExits64WithUsageOnStderr(args: [String]) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let result = try memory.porcelain(args)
        #expect(result.status == 64, "\(args): \(result.err)")
        #expect(result.err.lowercased().contains("usage"), "\(args): \(result.err)")
        #expect(result.out.isEmpty, "\(args)")
        #expect(!FileManager.default.fileExists(atPath: memory.dir), "\(args) created the memory dir")
    }

    @Test func helpPrintsUsageAndExitsZero() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        for args in [["help"], ["--help"], ["-h"]] {
            let help = try memory.porcelain(args)
            #expect(help.status == 0, "\(args)")
            #expect(help.out.hasPrefix("Usage:"), "\(args)")
            for command in ["show", "path", "edit", "load FILE", "clear", "pause", "status", "update", "watch"] {
                #expect(help.out.contains(command), "\(args): \(command)")
            }
        }
    }

    /// The wrapper decides from this list whether `llm logs` is a command or a prompt, so
    /// it must come out even when the cache cannot be written (the memory dir cannot be
    /// made: a file is in the way).
    @Test func llmCommandsPrintsTheListEvenWhenItsCacheCannotBeWritten() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let blocker = memory.path("not-a-dir")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let listed = try memory.porcelain(["llm-commands", "--refresh"], env: ["LLM_MEMORY_DIR": blocker + "/memory"])
        #expect(listed.status == 0, "\(listed.err)")
        let names = listed.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(names.contains("logs") && names.contains("models") && names.contains("prompt"), "\(listed.out)")
    }

    // MARK: - Tests: the script itself

    static let shellcheck = ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck", "/opt/homebrew/bin/shellcheck"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: shellcheck != nil, "shellcheck is not installed (.ci/run installs it with apt)"))
    func thePorcelainIsShellcheckClean() throws {
        let shellcheck = try #require(Self.shellcheck)
        let result = try run(shellcheck, ["-s", "sh", Repo.root.appendingPathComponent("bin/llm-memory").path],
                             environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.out)\(result.err)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/dash")
                   || FileManager.default.isExecutableFile(atPath: "/usr/bin/dash"), "dash is not installed"))
    func thePorcelainParsesUnderDash() throws {
        let dash = FileManager.default.isExecutableFile(atPath: "/bin/dash") ? "/bin/dash" : "/usr/bin/dash"
        let result = try run(dash, ["-n", Repo.root.appendingPathComponent("bin/llm-memory").path],
                             environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err.isEmpty)
    }
}
