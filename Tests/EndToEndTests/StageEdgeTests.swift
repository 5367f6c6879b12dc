import Foundation
import MemCLI
import Testing

/// What every mem-* tool does at its edge, the same way (contract C5): `--version` gives
/// the one version of llm-user-memory, and a failure — of the run or of the arguments —
/// ends as one line on stderr and the same line in `--error-file`, which is how the
/// porcelain learns why a stage failed without reading its report.
@Suite struct StageEdgeTests {
    /// The version kept in share/llm-memory/VERSION.
    static var version: String {
        get throws {
            let text = try String(contentsOf: Repo.root.appendingPathComponent("share/llm-memory/VERSION"), encoding: .utf8)
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test func thePorcelainAndEveryToolSayTheSameVersion() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let version = try Self.version
        #expect(version.range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil, "\(version)")
        #expect(Version.string == version, "Sources/MemCLI/Version.swift mirrors share/llm-memory/VERSION")
        let bin = try sandbox.makeBin()
        for program in [bin + "/llm-memory"] + Repo.tools.map(Repo.tool) {
            let result = try run(program, ["--version"], environment: sandbox.environment)
            #expect(result.status == 0, "\(program): \(result.err)")
            #expect(result.out == version + "\n", "\(program)")
            #expect(result.err.isEmpty, "\(program)")
        }
    }

    /// One failing run of each tool, with what it is given.
    static let failures: [(tool: String, arguments: [String], stdin: String, status: Int32)] = [
        ("mem-extract", ["--db", "/nonexistent/logs.db"], "", 66),
        ("mem-propose", ["--model", "local", "--profile", "/nonexistent/profile.md"], "not json\n", 65),
        ("mem-merge", ["--profile", "/nonexistent/profile.md"], "{not json", 65),
        ("mem-render", ["--profile", "/dev/zero"], "", 65),
        ("mem-history", ["undo", "--profile", "/nonexistent/profile.md"], "", 66),
        ("mem-extract", ["--limit", "many"], "", 64),
        ("mem-extract", ["--after", "yesterday"], "", 64),
        ("mem-extract", ["--until", "tomorrow"], "", 64),
        ("mem-backfill", ["estimate"], "", 66),
        ("mem-backfill", ["next", "--since", "last spring"], "", 64),
    ]

    @Test(arguments: failures.indices)
    func aFailingToolWritesItsOneLineErrorToTheErrorFile(index: Int) throws {
        let failure = Self.failures[index]
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let errorFile = sandbox.root.appendingPathComponent("error").path
        let result = try run(Repo.tool(failure.tool), failure.arguments + ["--error-file", errorFile],
                             stdin: Data(failure.stdin.utf8), environment: sandbox.environment)
        #expect(result.status == failure.status, "\(failure.tool) \(failure.arguments): \(result.err)")
        let written = try String(contentsOfFile: errorFile, encoding: .utf8)
        #expect(written.hasSuffix("\n") && written.dropLast().split(separator: "\n").count == 1, "\(written.debugDescription)")
        let message = String(written.dropLast())
        #expect(!message.isEmpty)
        // The same words as on stderr: the report's last line for a failed run, the first
        // (after "Error: ") for arguments that could not be parsed.
        let lines = result.err.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(failure.tool): \(message)") || lines.first == "Error: \(message)", "\(message) vs \(result.err)")
    }

    @Test func aToolThatSucceedsWritesNoErrorFile() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let errorFile = sandbox.root.appendingPathComponent("error").path
        let result = try run(Repo.tool("mem-extract"), ["--db", Repo.fixture("modern-0.36.db"), "--count", "--error-file", errorFile],
                             environment: sandbox.environment)
        #expect(result.status == 0, "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: errorFile))
    }

    /// The porcelain gives each stage a pipe as its error file; the message reaches
    /// `status` whole (here a model failure that mem-propose reports).
    @Test(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
    func theErrorFileCanBeAPipe() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let result = try run("/bin/sh", ["-c", #"""
            { message=$("$1" --profile /dev/zero --error-file /dev/fd/3 3>&1 1>&4 4>&-); } 4>&1
            status=$?
            printf '%s|%s' "$status" "$message"
            """#, "sh", Repo.tool("mem-render")], environment: sandbox.environment)
        #expect(result.out == "65|/dev/zero: input is larger than 16 MiB", "\(result.out) \(result.err)")
    }
}
