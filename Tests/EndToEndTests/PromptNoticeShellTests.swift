import Foundation
import Testing
import TestKit

/// The notice at the prompt (issue 15 §3, contract C6), as a user of bash, zsh and fish
/// meets it in a real terminal (tmux): a failure out of sight is said once, in one line on
/// stderr, at the next `llm` call — never on stdout, never again for the same failure,
/// never when stderr is not a terminal.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"),
       .enabled(if: Shell.casesCanBeSkipped, "needs bash, zsh, fish and tmux (.ci/run installs them)"))
struct PromptNoticeShellTests {
    /// An interactive shell with the wrapper installed, under tmux, and the scripted model
    /// answering "I'm a Rust developer" with "Noted, Rustacean.".
    private func interactive(_ original: ShellSandbox, environment extra: [String: String]) async throws -> (ShellSandbox, TmuxSession) {
        var sb = original
        let rules = try JSONSerialization.data(withJSONObject: [["match": "I'm a Rust developer", "reply": "Noted, Rustacean."]])
        try rules.write(to: URL(fileURLWithPath: sb.path("rules.json")))
        sb.environment["LLM_SCRIPTED_RULES"] = sb.path("rules.json")
        sb.environment.merge(extra) { $1 }
        let rc = sb.shell == .fish ? sb.home + "/.config/fish/config.fish" : sb.rcPath
        try sb.write(sb.shell.interactiveSetup, to: rc)
        try await sb.install()
        let tmux = try await TmuxSession(sb)
        let ready = try await tmux.waitFor { $0.contains { $0.hasPrefix(sb.shell.prompt.trimmingCharacters(in: .whitespaces)) } }
        let screen = try await tmux.screen()
        try #require(ready != nil, "no prompt: \(screen)")
        return (sb, tmux)
    }

    /// Types `line` and waits for the prompt to come back; returns the screen's lines.
    private func type(_ line: String, _ tmux: TmuxSession, _ shell: Shell) async throws -> [String] {
        let prompt = shell.prompt.trimmingCharacters(in: .whitespaces)
        let before = try await tmux.lines().filter { $0.hasPrefix(prompt) }.count
        try await tmux.type(line)
        let after = try await tmux.waitFor(timeout: 60) { $0.filter { $0.hasPrefix(prompt) }.count > before }
        let screen = try await tmux.screen()
        return try #require(after, "the prompt did not come back after \(line): \(screen)")
    }

    private func notices(_ lines: [String]) -> [String] { lines.filter { $0.hasPrefix("llm-memory: ") } }

    @Test(.enabled(if: TmuxSession.available, "needs tmux (.ci/run installs it)"), arguments: Shell.allCases)
    func aFailedUpdateIsSaidOnceOnStderrAtTheNextCallAndNotAgain(shell: Shell) async throws {
        try await withShellSandbox(shell) { original in
            let (sb, tmux) = try await interactive(original, environment: ["LLM_MEMORY_MODEL": "nosuchmodel"])
            let said = #"llm -m scripted "I'm a Rust developer""#

            // The first call starts an update that fails (no such model).
            let first = try await type(said, tmux, shell)
            #expect(notices(first).isEmpty, "\(first)")
            #expect(await eventually(timeout: 60) { sb.exists(sb.memory.notice) }, "updates.log:\n\(sb.read(sb.updateLog) ?? "")")
            #expect(try await sb.waitForUpdatesToFinish())

            // The next one says so, on stderr: its stdout, sent to a file, holds only the answer.
            let second = try await type(said + " >answer.txt", tmux, shell)
            let told = notices(second)
            #expect(told.count == 1, "\(second.joined(separator: "\n"))")
            #expect(told.first?.hasPrefix("llm-memory: the last update failed: ") == true)
            #expect(told.first?.contains("nosuchmodel") == true)
            #expect(told.first?.hasSuffix("(llm memory status)") == true)
            #expect(sb.read("answer.txt") == "Noted, Rustacean.\n")
            // Its own update fails the same way.
            #expect(await eventually(timeout: 60) { sb.updateRuns().count >= 2 }, "no second update")
            #expect(try await sb.waitForUpdatesToFinish())
            #expect(sb.read(sb.memory.lastUpdate)?.contains("nosuchmodel") == true)
            #expect(!sb.exists(sb.memory.notice), "the same failure was noticed again")

            // The call after that prints nothing new.
            let third = try await type(said, tmux, shell)
            #expect(notices(third) == told, "\(third.joined(separator: "\n"))")
            #expect(third.contains("Noted, Rustacean."))
            await tmux.kill()
        }
    }

    @Test(.enabled(if: TmuxSession.available, "needs tmux (.ci/run installs it)"), arguments: Shell.allCases)
    func aProfileThatCannotBeRenderedIsSaidOnceAndTheLastGoodFragmentIsStillInjected(shell: Shell) async throws {
        try await withShellSandbox(shell) { original in
            try await original.writeProfile()
            let (sb, tmux) = try await interactive(original, environment: [:])
            try Data("## Interests\n- Sai\0ling\n".utf8).write(to: URL(fileURLWithPath: sb.memory.profile))
            // Edited after the last render, whatever the file system's time resolution.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)],
                                                  ofItemAtPath: sb.memory.fragment)

            let first = try await type("llm -m echo hi >first.txt", tmux, shell)
            let told = notices(first)
            #expect(told.count == 1, "\(first.joined(separator: "\n"))")
            #expect(told.first?.hasPrefix("llm-memory: cannot render the profile, so prompts get the last good fragment: ") == true)
            #expect(told.first?.contains("NUL byte") == true)
            #expect(sb.read("first.txt")?.contains(ShellSandbox.marker) == true, "not the last good fragment: \(sb.read("first.txt") ?? "")")
            // The update after the call fails on the same profile: not news.
            #expect(await eventually(timeout: 60) { sb.updateRuns().count >= 1 }, "no update ran")
            #expect(try await sb.waitForUpdatesToFinish())
            #expect(sb.read(sb.memory.lastUpdate)?.contains("NUL byte") == true)
            #expect(!sb.exists(sb.memory.notice), "said again: \(sb.read(sb.memory.notice) ?? "")")

            let second = try await type("llm -m echo hi >second.txt", tmux, shell)
            #expect(notices(second) == told, "\(second.joined(separator: "\n"))")
            #expect(sb.read("second.txt")?.contains(ShellSandbox.marker) == true)
            await tmux.kill()
        }
    }

    @Test(arguments: Shell.allCases)
    func aNoticeWaitsWhileStderrIsNotATerminal(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            try await sb.install()
            let line = "llm-memory: the last update failed: a test failure (llm memory status)\n"
            try sb.write(line, to: sb.memory.notice)
            _ = try await sb.run(sb.step("call", "llm -m echo hi"), environment: ["LLM_MEMORY_UPDATES": "false"])
            let call = sb.result("call")
            #expect(call.status == 0, "\(call)")
            #expect(!call.err.contains("llm-memory"), "\(call)")
            #expect(!call.out.contains("a test failure"), "\(call)")
            #expect(sb.read(sb.memory.notice) == line)
        }
    }
}
