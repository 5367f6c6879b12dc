import Foundation
import Testing
import TestKit

/// `LLM_MEMORY_DISABLED=true` through the `llm` wrapper in real bash, zsh and fish: the
/// call is not injected, starts no update, and is never learned — while a normal call, even
/// one running at the same moment in another shell, is. Updates use the test model `facts`
/// ("I like fact-0001" becomes "- Likes fact-0001").
@Suite(.enabled(if: Repo.llmAvailable && Shell.casesCanBeSkipped, "needs the pinned llm venvs and bash, zsh, fish"))
struct OffRecordShellTests {
    static let learning = ["LLM_MEMORY_MODEL": "facts"]

    static func learned(_ sb: ShellSandbox) -> [String] {
        likedFacts(inProfile: sb.read(sb.memory.profile))
    }

    @Test(arguments: Shell.allCases)
    func aDisabledCallIsNotInjectedStartsNoUpdateAndIsNeverLearned(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            try await sb.install()
            #expect(try await sb.porcelain(["update"], environment: Self.learning).status == 0)
            let cursor = sb.read(sb.cursorFile)
            let disabled = ["LLM_MEMORY_DISABLED": "true"].merging(Self.learning) { $1 }
            try sb.write("I like fact-0003\nI like fact-0004\nquit\n", to: "chat.in")
            _ = try await sb.run([
                sb.step("bare", "llm -m echo 'I like fact-0001'"),
                sb.step("prompt", "llm prompt -m echo -s 'be brief' 'I like fact-0002'"),
                sb.step("chat", "llm chat -m echo", stdin: "chat.in"),
                sb.step("logs", "llm logs -n 1 --json"),
                sb.step("status", "llm memory status"),
            ].joined(separator: "\n"), environment: disabled)
            for name in ["bare", "prompt", "chat", "logs", "status"] {
                #expect(sb.result(name).status == 0, "\(sb.result(name))")
            }
            // Nothing injected: the model got what it would without llm-user-memory.
            #expect(sb.result("bare").echo?.system == "" && sb.result("bare").echo?.prompt == "I like fact-0001",
                    "\(sb.result("bare"))")
            #expect(sb.result("prompt").echo?.system == "be brief", "\(sb.result("prompt"))")
            #expect(!sb.result("chat").out.contains(ShellSandbox.marker), "\(sb.result("chat"))")
            // Other commands ran as they are.
            #expect(sb.result("logs").logs.first?["prompt"] as? String == "I like fact-0004", "\(sb.result("logs"))")
            #expect(sb.result("status").out.contains("memory dir:"))
            #expect(try await sb.waitForUpdatesToFinish())
            #expect(sb.updateRuns().isEmpty, "a disabled call started an update")
            #expect(sb.read(sb.cursorFile) == cursor)

            // A normal call: injected, and its update learns it — and only it.
            _ = try await sb.run(sb.step("normal", "llm -m echo 'I like fact-0005'"), environment: Self.learning)
            #expect(sb.result("normal").echo?.system?.contains(ShellSandbox.marker) == true, "\(sb.result("normal"))")
            #expect(await eventually(timeout: 60) { Self.learned(sb) == ["fact-0005"] }, "learned: \(Self.learned(sb))")
            #expect(try await sb.waitForUpdatesToFinish())
            #expect(Self.learned(sb) == ["fact-0005"])
        }
    }

    /// The race: a normal call and a disabled one in flight at once (each blocked reading
    /// its stdin, a FIFO, until the test lets it go), finishing in either order, with the
    /// normal call's update running while the other is still open or after it logged.
    @Test(arguments: ["normal first", "disabled first"])
    func aNormalCallRunningAlongsideADisabledOneIsLearnedAndTheDisabledOneIsNot(order: String) async throws {
        try await withShellSandbox(.bash) { sb in
            try await sb.install()
            #expect(try await sb.porcelain(["update"], environment: Self.learning).status == 0)
            let (first, second) = order == "normal first" ? ("4", "3") : ("3", "4")
            // llm itself fails when two first-ever calls create logs.db at once: one call
            // before makes it.
            let script = """
                command llm -m echo 'hello' </dev/null >/dev/null
                mkfifo disabled.in normal.in
                LLM_MEMORY_DISABLED=true llm -m echo 'I like fact-0002' <disabled.in >disabled.out 2>disabled.err &
                disabled=$!
                llm -m echo 'I like fact-0001' <normal.in >normal.out 2>normal.err &
                normal=$!
                exec 3>disabled.in 4>normal.in
                exec \(first)>&-
                wait \(order == "normal first" ? "$normal" : "$disabled")
                exec \(second)>&-
                wait
                """
            let ran = try await sb.run(script, environment: Self.learning)
            #expect(ran.status == 0, "\(ran.err)")
            #expect(sb.read("normal.out")?.contains(#""prompt": "I like fact-0001""#) == true, "\(sb.read("normal.err") ?? "")")
            #expect(sb.read("disabled.out")?.contains(#""prompt": "I like fact-0002""#) == true, "\(sb.read("disabled.err") ?? "")")
            // Whatever the background update saw, one more update takes the rest (or, when
            // it finds the background one still running, leaves it a note for one more pass).
            #expect(try await sb.porcelain(["update"], environment: Self.learning).status == 0)
            #expect(await eventually(timeout: 60) { Self.learned(sb) == ["fact-0001"] }, "learned: \(Self.learned(sb))")
            #expect(try await sb.waitForUpdatesToFinish(timeout: 60))
            #expect(Self.learned(sb) == ["fact-0001"])
            #expect(try await sb.porcelain(["status"]).out.contains("waiting:        0 "))
        }
    }
}
