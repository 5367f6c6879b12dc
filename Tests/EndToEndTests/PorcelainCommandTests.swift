import Foundation
import Testing

/// The porcelain's commands (`bin/llm-memory path|show|edit|load|clear|pause|resume|status|
/// update|watch`), run as a user would run them, against the real `llm` 0.36 with the
/// `echo` model (what the user typed) and the test-only `scripted` model (the update's
/// model, answering with a delta, an error, or after a gate opens).
///
/// Each test gets its own sandbox. The porcelain runs from `<sandbox>/bin/llm-memory`, a
/// symlink to the repository's `bin/llm-memory` beside symlinks to the mem-* tools of
/// this build — the layout `make install` makes — so it never picks up a stale
/// `.build/release` of the checkout. No assertion depends on how long anything takes:
/// where a test waits, it polls for a condition with a bound.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct PorcelainCommandTests {

    // MARK: - Tests: path, show

    @Test func pathPrintsTheProfileFragmentAndMemoryDirUnderLLMUserPath() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let dir = memory.sandbox.llmUserPath + "/memory"
        #expect(try memory.porcelain(["path"]).out == dir + "/profile.md\n")
        #expect(try memory.porcelain(["path", "--profile"]).out == dir + "/profile.md\n")
        #expect(try memory.porcelain(["path", "--fragment"]).out == dir + "/fragment.md\n")
        #expect(try memory.porcelain(["path", "--dir"]).out == dir + "\n")
        // Asking where things are creates nothing.
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func pathHonoursLLMMemoryDirOverLLMUserPath() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let dir = memory.sandbox.root.appendingPathComponent("elsewhere/mem").path
        let env = ["LLM_MEMORY_DIR": dir]
        #expect(try memory.porcelain(["path"], env: env).out == dir + "/profile.md\n")
        #expect(try memory.porcelain(["path", "--fragment"], env: env).out == dir + "/fragment.md\n")
        #expect(try memory.porcelain(["path", "--dir"], env: env).out == dir + "\n")
    }

    #if os(Linux)
    @Test func pathFallsBackToLLMsDefaultUserDirUnderXDGConfigHomeOrHome() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let home = memory.sandbox.home
        let withoutUserPath = ["LLM_USER_PATH": ""]
        var env = memory.environment
        env["LLM_USER_PATH"] = nil
        let plain = try run(memory.porcelainPath, ["path", "--dir"], environment: env)
        #expect(plain.out == home + "/.config/io.datasette.llm/memory\n")
        env["XDG_CONFIG_HOME"] = home + "/xdg"
        let xdg = try run(memory.porcelainPath, ["path"], environment: env)
        #expect(xdg.out == home + "/xdg/io.datasette.llm/memory/profile.md\n")
        // An empty LLM_USER_PATH counts as unset, as in llm itself.
        #expect(try memory.porcelain(["path", "--dir"], env: withoutUserPath).out
            == home + "/.config/io.datasette.llm/memory\n")
    }
    #endif

    @Test func showSaysPlainlyOnStderrThatThereIsNoProfileYetAndExitsZero() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let show = try memory.porcelain(["show"])
        #expect(show.status == 0)
        #expect(show.out.isEmpty)
        #expect(show.err.contains("no profile yet"))
        #expect(show.err.contains(memory.profilePath))
    }

    @Test func showPrintsTheProfileByteForByte() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let show = try memory.porcelain(["show"])
        #expect(show.status == 0, "\(show.err)")
        #expect(show.out == PorcelainUser.sampleProfile)
    }

    @Test func renderRegeneratesTheFragmentFromAProfileEditedByHand() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        try Data((PorcelainUser.sampleProfile + "- Plays the cello\n").utf8)
            .write(to: URL(fileURLWithPath: memory.profilePath))
        #expect(memory.read(memory.fragmentPath)?.contains("cello") == false)
        let render = try memory.porcelain(["render"])
        #expect(render.status == 0, "\(render.err)")
        #expect(try #require(memory.read(memory.fragmentPath)).contains("- Plays the cello"))
    }
    // MARK: - Tests: status

    @Test func statusShowsProfileWaitingExchangesLastUpdatePausedWatchShellAndOverrides() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        let overrides = ["LLM_MEMORY_BATCH": "7"]

        let fresh = try memory.porcelain(["status"], env: overrides)
        #expect(fresh.status == 0, "\(fresh.err)")
        #expect(fresh.out.contains("(none yet)"))
        #expect(fresh.out.contains("last update:    never"))
        #expect(fresh.out.contains("paused:         no"))
        #expect(fresh.out.contains("watch:          not running"))
        #expect(fresh.out.contains("shell:          not installed"))
        #expect(fresh.out.contains("LLM_MEMORY_BATCH=7"))
        #expect(fresh.out.contains("LLM_MEMORY_MODEL=scripted"))
        #expect(fresh.out.contains("backfill:       memory is not set up yet"), "\(fresh.out)")

        try memory.setUpMemory()

        for prompt in ["I am a Rust developer", "I live in Lisbon", "I have two cats"] {
            #expect(try memory.logPrompt(prompt).status == 0)
        }
        let waiting = try memory.porcelain(["status"], env: overrides)
        #expect(waiting.out.contains("waiting:        3 exchange(s) not yet applied"))

        #expect(try memory.porcelain(["update"], env: overrides).status == 0)
        let after = try memory.porcelain(["status"], env: overrides)
        let size = try #require(memory.read(memory.profilePath)).utf8.count
        #expect(after.out.contains("profile:        \(memory.profilePath) (\(size) bytes)"))
        #expect(after.out.contains("waiting:        0 exchange(s) not yet applied"))
        let lastUpdate = try #require(after.out.split(separator: "\n").first { $0.hasPrefix("last update:") })
        #expect(lastUpdate.contains(", ok"))
        #expect(lastUpdate.range(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, options: .regularExpression) != nil)
        #expect(!after.out.contains("last error"))
        #expect(after.out.contains("injected"))
    }
}
