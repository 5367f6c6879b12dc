import Foundation
import Testing
import TestKit

/// Failures the user can see, and a profile that says when it does not fit (issue 15 §3,
/// §4; contract C6), from the porcelain's side: what writes `<memory dir>/notice`, when it
/// does not write it again, and what `status` says. The wrapper's side (printing the
/// notice once at the prompt) is in PromptNoticeShellTests.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct PromptNoticeTests {
    /// A sandbox whose logs.db holds one exchange the gate lets through to a model, logged
    /// after memory was set up.
    private func sandboxWithAnExchange() async throws -> (Sandbox, [String: String]) {
        let sandbox = try Sandbox()
        let env = sandbox.environment
        try await setUpMemoryAsync(porcelain: Repo.porcelain, environment: env)
        let said = try await runAsync(Repo.llm, ["-m", "echo", "I'm a Rust developer and I live in Lisbon"], environment: env)
        #expect(said.status == 0, "\(said.err)")
        return (sandbox, env)
    }

    private func notice(_ sandbox: Sandbox) -> String? {
        try? String(contentsOfFile: sandbox.memory.notice, encoding: .utf8)
    }

    private func statusLines(_ text: String, _ key: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix(key + ":") }.map(String.init)
    }

    @Test func anUpdateThatFailsOutOfSightLeavesOneNoticeLinePerNewFailure() async throws {
        let (sandbox, env) = try await sandboxWithAnExchange()
        defer { sandbox.remove() }
        var failing = env
        failing["LLM_MEMORY_MODEL"] = "nosuchmodel"

        // stderr is a file here, as for a background update or cron: the failure is kept
        // for the prompt, as one line naming the cause and the command that says more.
        let first = try await runAsync(Repo.porcelain, ["update"], environment: failing)
        #expect(first.status == 69, "\(first.err)")
        let said = try #require(notice(sandbox), "no notice after a failed update")
        #expect(said.hasPrefix("llm-memory: the last update failed: "))
        #expect(said.contains("nosuchmodel"))
        #expect(said.hasSuffix("(llm memory status)\n"))
        #expect(said.split(separator: "\n").count == 1)
        // Short: the cause, not the whole story (status has that).
        #expect(said.count <= 140, "\(said.count) characters: \(said)")
        #expect(try await runAsync(Repo.porcelain, ["status"], environment: failing).out.contains("updates wait"))
        var info = stat()
        #expect(stat(sandbox.memory.notice, &info) == 0 && info.st_mode & 0o777 == 0o600)

        // The wrapper shows it and removes it; the same failure again is not news.
        try FileManager.default.removeItem(atPath: sandbox.memory.notice)
        let again = try await runAsync(Repo.porcelain, ["update"], environment: failing)
        #expect(again.status == 69)
        #expect(notice(sandbox) == nil, "the same failure was noticed twice")

        // An update that works clears it: the same failure after that is new again.
        var working = env
        working["LLM_MEMORY_MODEL"] = "local"
        let works = try await runAsync(Repo.porcelain, ["update"], environment: working)
        #expect(works.status == 0, "\(works.err)")
        let more = try await runAsync(Repo.llm, ["-m", "echo", "I'm a Go developer now"], environment: env)
        #expect(more.status == 0)
        let later = try await runAsync(Repo.porcelain, ["update"], environment: failing)
        #expect(later.status == 69)
        #expect(notice(sandbox)?.contains("nosuchmodel") == true, "a failure after a success was not noticed")
    }

    @Test func aFailureSeenOnATerminalIsNotSaidAgainAndAWorkingUpdateRemovesAStaleNotice() async throws {
        let (sandbox, env) = try await sandboxWithAnExchange()
        defer { sandbox.remove() }
        let failing = env.merging(["LLM_MEMORY_MODEL": "nosuchmodel"]) { $1 }
        let working = env.merging(["LLM_MEMORY_MODEL": "local"]) { $1 }
        // `script` gives the update a terminal: its error is on screen, not kept for later,
        // and the same failure out of sight afterwards is no news either.
        let onTerminal = try await runAsync("/usr/bin/script", ["-qec", "\(Repo.porcelain) update", "/dev/null"], environment: failing)
        #expect(onTerminal.out.contains("nosuchmodel"), "\(onTerminal.out)")
        #expect(notice(sandbox) == nil)
        #expect(try await runAsync(Repo.porcelain, ["update"], environment: failing).status == 69)
        #expect(notice(sandbox) == nil)
        #expect(try await runAsync(Repo.porcelain, ["update"], environment: working).status == 0)

        // A notice about a failure that a later update got past is stale: it goes.
        #expect(try await runAsync(Repo.llm, ["-m", "echo", "I'm a Go developer now"], environment: env).status == 0)
        #expect(try await runAsync(Repo.porcelain, ["update"], environment: failing).status == 69)
        #expect(notice(sandbox) != nil)
        let works = try await runAsync(Repo.porcelain, ["update"], environment: working)
        #expect(works.status == 0, "\(works.err)")
        #expect(notice(sandbox) == nil)
    }

    @Test func aProfileThatCannotBeRenderedLeavesOneNoticeAndKeepsTheLastGoodFragment() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = sandbox.environment
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        let profile = sandbox.memory.profile
        try Data("## Interests\n- Sailing\n".utf8).write(to: URL(fileURLWithPath: profile))
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 0)
        let good = try String(contentsOfFile: sandbox.memory.fragment, encoding: .utf8)

        try Data("## Interests\n- Sai\0ling\n".utf8).write(to: URL(fileURLWithPath: profile))
        let broken = try await runAsync(Repo.porcelain, ["render"], environment: env)
        #expect(broken.status == 65, "\(broken.err)")
        let said = try #require(notice(sandbox))
        #expect(said.hasPrefix("llm-memory: cannot render the profile, so prompts get the last good fragment: "))
        #expect(said.contains("NUL byte"))
        #expect(said.hasSuffix("(llm memory status)\n"))
        #expect(try String(contentsOfFile: sandbox.memory.fragment, encoding: .utf8) == good)

        try FileManager.default.removeItem(atPath: sandbox.memory.notice)
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 65)
        #expect(notice(sandbox) == nil, "the same broken profile was noticed twice")

        let status = try await runAsync(Repo.porcelain, ["status"], environment: env)
        #expect(status.status == 0)
        let problem = statusLines(status.out, "problem")
        #expect(problem.count == 1 && problem[0].contains("NUL byte"), "\(status.out)")

        // Fixed, then broken again: new.
        try Data("## Interests\n- Sailing\n- Chess\n".utf8).write(to: URL(fileURLWithPath: profile))
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 0)
        #expect(statusLines(try await runAsync(Repo.porcelain, ["status"], environment: env).out, "problem").isEmpty)
        try Data("## Interests\n- Sai\0ling\n".utf8).write(to: URL(fileURLWithPath: profile))
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 65)
        #expect(notice(sandbox) != nil)
    }

    @Test func aProfileGrowingPastTheBudgetIsSaidOnceUntilItFitsAgain() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = sandbox.environment
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        let profile = sandbox.memory.profile
        func write(_ bullets: Int) throws {
            let text = "## Interests\n" + (1...bullets).map { "- Interest number \($0) of the user\n" }.joined()
            try Data(text.utf8).write(to: URL(fileURLWithPath: profile))
        }
        try write(20)
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 0)
        #expect(notice(sandbox) == nil)

        try write(200)
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 0)
        let said = try #require(notice(sandbox))
        #expect(said == "llm-memory: the profile has outgrown the fragment's 4000-character budget (LLM_MEMORY_MAX_CHARS): part of it is left out of prompts (llm memory status)\n")
        try FileManager.default.removeItem(atPath: sandbox.memory.notice)
        try write(201)
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 0)
        #expect(notice(sandbox) == nil, "still over budget is not news")

        try write(20)
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 0)
        try write(200)
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 0)
        #expect(notice(sandbox) == said, "over budget again after fitting was not said")
    }

    @Test func statusSaysHowManyBulletsOfAThreeHundredBulletProfileAreInjected() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = sandbox.environment
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        let names = ["Personal Information", "Current Projects", "Interests", "Preferences"]
        let text = "# User profile\n" + names.map { name in
            "\n## \(name)\n" + (1...75).map { "- \(name) fact \($0)\n" }.joined()
        }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: sandbox.memory.profile))
        #expect(try await runAsync(Repo.porcelain, ["render"], environment: env).status == 0)
        let fragment = try String(contentsOfFile: sandbox.memory.fragment, encoding: .utf8)
        for name in names {
            #expect(fragment.contains("## \(name)\n- \(name) fact "), "\(name) has no bullets in the fragment")
        }
        let injected = fragment.split(separator: "\n").filter { $0.hasPrefix("- ") }.count
        let status = try await runAsync(Repo.porcelain, ["status"], environment: env)
        #expect(status.status == 0)
        let line = try #require(statusLines(status.out, "fragment").first, "\(status.out)")
        #expect(line.contains(" \(injected) of 300 bullets injected ("), "\(line)")
    }

    @Test func statusShowsTheWholeErrorMessageOfTheLastUpdate() async throws {
        let (sandbox, env) = try await sandboxWithAnExchange()
        defer { sandbox.remove() }
        let failed = try await runAsync(Repo.porcelain, ["update"], environment: env.merging(["LLM_MEMORY_MODEL": "nosuchmodel"]) { $1 })
        #expect(failed.status == 69)
        // The tool's own last line, whole, however long.
        let toolLine = try #require(failed.err.split(separator: "\n").last { $0.hasPrefix("mem-propose: ") })
        let status = try await runAsync(Repo.porcelain, ["status"], environment: env)
        let error = statusLines(status.out, "last error")
        #expect(error.count == 1)
        #expect(error.first?.contains(toolLine.dropFirst("mem-propose: ".count)) == true, "\(status.out)\nvs\n\(toolLine)")
    }

    @Test func statusShowsAnUpdateThatIsRunningInsteadOfNever() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = sandbox.environment
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        // flock holds the update lock (as a running update does) while status runs.
        let held = try await runAsync("/usr/bin/env", ["flock", sandbox.memoryDir, Repo.porcelain, "status"], environment: env)
        #expect(held.status == 0, "\(held.err)")
        #expect(statusLines(held.out, "last update") == ["last update:    running now (the first)"], "\(held.out)")
        let free = try await runAsync(Repo.porcelain, ["status"], environment: env)
        #expect(statusLines(free.out, "last update") == ["last update:    never"], "\(free.out)")
    }
}
