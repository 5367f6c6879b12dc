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

    // MARK: - Tests: edit

    @Test func editWithAnEditorThatHasArgumentsSavesTheChangeKeepsHistoryJournalsAndRenders() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        // Not executable: it only runs because EDITOR is "sh SCRIPT".
        let script = try memory.script("append.sh", executable: false, """
            printf -- '- Drinks green tea\\n' >>"$1"
            """)
        let edit = try memory.porcelain(["edit"], env: ["EDITOR": "sh \(script)", "VISUAL": ""])
        #expect(edit.status == 0, "\(edit.err)")

        let profile = try #require(memory.read(memory.profilePath))
        #expect(profile == PorcelainUser.sampleProfile + "- Drinks green tea\n")
        #expect(memory.historyProfiles().contains(PorcelainUser.sampleProfile))
        let journal = memory.journal()
        #expect(journal.last?["action"] as? String == "edit")
        let fragment = try #require(memory.read(memory.fragmentPath))
        #expect(fragment.contains("Drinks green tea"))
        #expect(fragment.contains("Name: Ada"))
        #expect(!FileManager.default.fileExists(atPath: memory.draftPath), "the draft is removed after a save")
    }

    @Test func editPrefersVisualOverEditor() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let visual = try memory.script("visual.sh", "printf -- '- From VISUAL\\n' >>\"$1\"")
        let editor = try memory.script("editor.sh", "printf -- '- From EDITOR\\n' >>\"$1\"")
        let edit = try memory.porcelain(["edit"], env: ["VISUAL": visual, "EDITOR": editor])
        #expect(edit.status == 0, "\(edit.err)")
        let profile = try #require(memory.read(memory.profilePath))
        #expect(profile.contains("- From VISUAL"))
        #expect(!profile.contains("From EDITOR"))
    }

    @Test func editWithNoProfileYetStartsFromTheDefaultSections() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let script = try memory.script("append.sh", "printf -- '- Likes chess\\n' >>\"$1\"")
        let edit = try memory.porcelain(["edit"], env: ["EDITOR": script])
        #expect(edit.status == 0, "\(edit.err)")
        let profile = try #require(memory.read(memory.profilePath))
        #expect(profile.hasPrefix("# User profile\n"))
        for section in ["Personal Information", "Current Projects", "Interests", "Preferences"] {
            #expect(profile.contains("## \(section)"))
        }
        #expect(profile.hasSuffix("- Likes chess\n"))
    }

    @Test func anEditorThatExitsNonZeroLeavesTheProfileUnchanged() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let fragmentBefore = memory.read(memory.fragmentPath)
        let historyBefore = memory.historyProfiles().count
        let script = try memory.script("abort.sh", """
            printf -- '- Half-written thought\\n' >>"$1"
            exit 3
            """)
        let edit = try memory.porcelain(["edit"], env: ["EDITOR": script])
        #expect(edit.status != 0)
        #expect(edit.err.contains("editor"))
        #expect(edit.err.contains("not changed"))
        #expect(memory.read(memory.profilePath) == PorcelainUser.sampleProfile)
        #expect(memory.read(memory.fragmentPath) == fragmentBefore)
        #expect(memory.historyProfiles().count == historyBefore)
        #expect(memory.journal().last?["action"] as? String == "load")
    }

    @Test func editHoldsTheUpdateLockWhileTheEditorRuns() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        try memory.setRules([])  // the update's model answers "ok": no ops, the cursor moves
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
        // Inside the editor: is the memory dir's lock free? And what does an update do?
        let probe = memory.path("probe")
        let script = try memory.script("probe.sh", """
            if flock -n "\(memory.dir)" true; then echo free; else echo held; fi >"\(probe).flock"
            "\(memory.porcelainPath)" update >"\(probe).update" 2>&1
            echo "exit $?" >>"\(probe).update"
            [ -e "\(memory.againNotePath)" ] && echo note >"\(probe).note"
            cat "\(memory.modelLogPath)" 2>/dev/null | wc -l | tr -d ' ' >"\(probe).calls"
            [ -e "\(memory.cursorPath)" ] && echo cursor >"\(probe).cursor"
            printf -- '- Edited while an update was asked for\\n' >>"$1"
            """)
        let edit = try memory.porcelain(["edit"], env: ["EDITOR": script], closingFileDescriptors: true)
        #expect(edit.status == 0, "\(edit.err)")
        #expect(memory.read(probe + ".flock") == "held\n")
        let update = try #require(memory.read(probe + ".update"))
        #expect(update.contains("already running"))
        #expect(update.hasSuffix("exit 0\n"))
        // The update that was turned away left its note, made no model call and moved nothing.
        #expect(memory.read(probe + ".note") == "note\n")
        #expect(memory.read(probe + ".calls") == "0\n")
        #expect(memory.read(probe + ".cursor") == nil)
        #expect(try #require(memory.read(memory.profilePath)).contains("- Edited while an update was asked for"))
        // Once the edit let the lock go, the update it turned away ran (in the background).
        #expect(waitUntil(seconds: 120) { memory.cursor() == memory.newestCursor() }, "no update ran after the edit")
        #expect(memory.waitForUpdatesToFinish())
        #expect(!FileManager.default.fileExists(atPath: memory.againNotePath))
        #expect(try #require(memory.read(memory.profilePath)).contains("- Edited while an update was asked for"))
    }

    @Test func anEditorThatWritesBinaryGarbageLeavesTheProfileUnchangedAndKeepsTheDraft() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let garbage = try memory.script("garbage.sh", #"printf 'x\000\377\376 not text' >"$1""#)
        let edit = try memory.porcelain(["edit"], env: ["EDITOR": garbage])
        #expect(edit.status == 65)
        #expect(edit.err.contains("not saved"))
        #expect(edit.err.contains(memory.draftPath))
        #expect(memory.read(memory.profilePath) == PorcelainUser.sampleProfile)
        let draft = try Data(contentsOf: URL(fileURLWithPath: memory.draftPath))
        #expect(draft == Data([0x78, 0x00, 0xFF, 0xFE]) + Data(" not text".utf8))

        // The next edit opens that draft, not a fresh copy: the user's text is not lost.
        let seen = memory.path("seen-draft")
        let fix = try memory.script("fix.sh", """
            cp "$1" "\(seen)"
            printf '# Me\\n\\n## Interests\\n\\n- Fixed by hand\\n' >"$1"
            """)
        let again = try memory.porcelain(["edit"], env: ["EDITOR": fix])
        #expect(again.status == 0, "\(again.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: seen)) == draft)
        #expect(again.err.contains(memory.draftPath))
        #expect(memory.read(memory.profilePath) == "# Me\n\n## Interests\n\n- Fixed by hand\n")
        #expect(!FileManager.default.fileExists(atPath: memory.draftPath))
    }

    // MARK: - Tests: load, clear

    @Test func loadReplacesTheProfileKeepsTheOldOneInHistoryAndRenders() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let replacement = "# Me\n\n## Interests\n\n- Chess\n- Go (the game)\n"
        let file = memory.path("replacement.md")
        try Data(replacement.utf8).write(to: URL(fileURLWithPath: file))
        let load = try memory.porcelain(["load", file])
        #expect(load.status == 0, "\(load.err)")
        #expect(memory.read(memory.profilePath) == replacement)
        #expect(memory.historyProfiles().contains(PorcelainUser.sampleProfile))
        #expect(memory.journal().last?["action"] as? String == "load")
        let fragment = try #require(memory.read(memory.fragmentPath))
        #expect(fragment.contains("Go (the game)"))
        #expect(!fragment.contains("Name: Ada"))
    }

    @Test(arguments: ["-", "/dev/stdin"])
    func loadReadsAProfilePipedToItThroughAPrivateTempFile(argument: String) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let piped = "# Profile\n- x\n"
        let load = try run("/bin/sh", ["-c", "printf '# Profile\\n- x\\n' | \"$1\" load \"$2\"", "sh", memory.porcelainPath, argument],
                           environment: memory.environment)
        #expect(load.status == 0, "\(argument): \(load.err)")
        #expect(memory.read(memory.profilePath) == piped, "\(argument)")
        #expect(memory.historyProfiles().contains(PorcelainUser.sampleProfile))
        #expect(memory.journal().last?["action"] as? String == "load")
        #expect(memory.read(memory.fragmentPath)?.contains("- x") == true)
        // The copy is gone.
        let left = try FileManager.default.contentsOfDirectory(atPath: memory.dir).filter { $0.contains("tmp") }
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test func loadOfAProcessSubstitutionWorksAndAnEndlessInputIsRefusedAsTooLarge() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let bash = try #require(["/bin/bash", "/usr/bin/bash"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let load = try run(bash, ["-c", "\"$1\" load <(printf '# From a substitution\\n- y\\n')", "bash", memory.porcelainPath],
                           environment: memory.environment)
        #expect(load.status == 0, "\(load.err)")
        #expect(memory.read(memory.profilePath) == "# From a substitution\n- y\n")

        let endless = try memory.porcelain(["load", "/dev/zero"])
        #expect(endless.status == 65, "\(endless.err)")
        #expect(endless.err.split(separator: "\n").count == 1, "\(endless.err)")
        #expect(memory.read(memory.profilePath) == "# From a substitution\n- y\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: memory.dir).filter { $0.contains("tmp") }
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test func loadOfAMissingFileExits66AndChangesNothing() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let load = try memory.porcelain(["load", memory.path("no-such-file.md")])
        #expect(load.status == 66)
        #expect(load.err == "llm-memory: \(memory.path("no-such-file.md")): no such file\n")
        #expect(memory.read(memory.profilePath) == PorcelainUser.sampleProfile)
        #expect(memory.journal().count == 1)
    }

    @Test(arguments: [
        ("NUL bytes", Data("# Me\n\n## Interests\n\n- Ch".utf8) + Data([0]) + Data("ess\n".utf8)),
        ("binary", Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xFF])),
        ("invalid UTF-8", Data("# Me\n\n## Interests\n\n- Caf".utf8) + Data([0xE9]) + Data("\n".utf8)),
    ])
    func loadOfAFileThatIsNotUTF8TextExits65AndLeavesTheProfileUntouched(kind: String, bytes: Data) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let fragmentBefore = memory.read(memory.fragmentPath)
        let file = memory.path("bad.md")
        try bytes.write(to: URL(fileURLWithPath: file))
        let load = try memory.porcelain(["load", file])
        #expect(load.status == 65, "\(kind): \(load.err)")
        #expect(load.err.contains("bad.md"), "\(kind)")
        #expect(memory.read(memory.profilePath) == PorcelainUser.sampleProfile, "\(kind)")
        #expect(memory.read(memory.fragmentPath) == fragmentBefore, "\(kind)")
        #expect(memory.historyProfiles().isEmpty, "\(kind)")
    }

    @Test func clearWithoutYesAndNoTerminalRefusesAndLeavesTheProfile() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        let clear = try memory.porcelain(["clear"], stdin: Data("y\n".utf8))
        #expect(clear.status != 0)
        #expect(clear.err.contains("--yes"))
        #expect(memory.read(memory.profilePath) == PorcelainUser.sampleProfile)
        #expect(memory.historyProfiles().isEmpty)
    }

    @Test func clearYesResetsToTheEmptyDefaultSectionsKeepsHistoryAndInjectsNothing() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        #expect(try #require(memory.read(memory.fragmentPath)).contains("Name: Ada"))
        let clear = try memory.porcelain(["clear", "--yes"])
        #expect(clear.status == 0, "\(clear.err)")
        #expect(memory.read(memory.profilePath) == PorcelainUser.defaultProfile)
        #expect(memory.historyProfiles().contains(PorcelainUser.sampleProfile))
        #expect(memory.journal().last?["action"] as? String == "clear")
        // No bullets left: the fragment is empty, so nothing is injected.
        #expect(memory.read(memory.fragmentPath) == "")
        #expect(try memory.porcelain(["status"]).out.contains("nothing is injected"))
    }

    @Test(arguments: [["clear", "--yes"], ["load", "-"], ["edit"]])
    func anUpdateTurnedAwayWhileEditLoadOrClearHeldTheLockRunsOnceTheyLetItGo(command: [String]) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
        // The note an update leaves when it finds the lock held (here: left before the
        // command, which takes the lock, so it is there when the command lets go).
        _ = FileManager.default.createFile(atPath: memory.againNotePath, contents: nil)
        let append = try memory.script("append.sh", "printf -- '- Likes tea\\n' >>\"$1\"")
        let result = try memory.porcelain(command, env: ["LLM_MEMORY_MODEL": "local", "EDITOR": append, "VISUAL": ""],
                                          stdin: Data(PorcelainUser.sampleProfile.utf8), closingFileDescriptors: true)
        #expect(result.status == 0, "\(command): \(result.err)")
        #expect(waitUntil(seconds: 120) { memory.cursor() == memory.newestCursor() }, "\(command): no update ran afterwards")
        #expect(waitUntil { memory.read(memory.path("memory/last-update"))?.contains("outcome: ok") == true })
        #expect(memory.waitForUpdatesToFinish())
        #expect(!FileManager.default.fileExists(atPath: memory.againNotePath))
        #expect(memory.read(memory.path("memory/log/updates.log"))?.hasPrefix("== ") == true)
    }

    @Test(arguments: ["updates off", "paused"])
    func withUpdatesOffOrPausedTheNoteIsLeftForLater(mode: String) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
        if mode == "paused" { #expect(try memory.porcelain(["pause"]).status == 0) }
        _ = FileManager.default.createFile(atPath: memory.againNotePath, contents: nil)
        // Run without closing descriptors: this waits for any update the command starts.
        let clear = try memory.porcelain(["clear", "--yes"],
                                         env: ["LLM_MEMORY_MODEL": "local"].merging(mode == "paused" ? [:] : ["LLM_MEMORY_UPDATES": "false"]) { $1 })
        #expect(clear.status == 0, "\(clear.err)")
        #expect(memory.waitForUpdatesToFinish())
        #expect(FileManager.default.fileExists(atPath: memory.againNotePath), "\(mode)")
        #expect(memory.cursor() == nil, "\(mode): an update ran")
        #expect(memory.read(memory.path("memory/log/updates.log")) == nil, "\(mode)")
    }

    // MARK: - Tests: pause, resume

    @Test func pauseStopsUpdatesAcrossProcessesButKeepsTheFragmentAndResumeAppliesTheBacklog() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
        #expect(try memory.porcelain(["update"]).status == 0)
        let cursor = try #require(memory.read(memory.cursorPath))
        let fragment = try #require(memory.read(memory.fragmentPath))
        #expect(memory.modelCalls() == 1)

        let pause = try memory.porcelain(["pause"])
        #expect(pause.status == 0, "\(pause.err)")
        #expect(FileManager.default.fileExists(atPath: memory.path("memory/paused")))
        #expect(try memory.porcelain(["status"]).out.contains("paused:         yes"))

        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Likes tea")]])
        #expect(try memory.logPrompt("I like tea").status == 0)
        let paused = try memory.porcelain(["update"])
        #expect(paused.status == 0, "\(paused.err)")
        #expect(paused.err.contains("paused"))
        #expect(memory.read(memory.cursorPath) == cursor)
        #expect(memory.read(memory.fragmentPath) == fragment)
        #expect(memory.modelCalls() == 1)
        #expect(try memory.porcelain(["status"]).out.contains("waiting:        1 exchange"))

        let resume = try memory.porcelain(["resume"])
        #expect(resume.status == 0, "\(resume.err)")
        #expect(try memory.porcelain(["status"]).out.contains("paused:         no"))
        let update = try memory.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(memory.modelCalls() == 2)
        #expect(memory.read(memory.cursorPath) != cursor)
        #expect(memory.cursor() == memory.newestCursor())
        #expect(try #require(memory.read(memory.fragmentPath)).contains("Likes tea"))
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

    // MARK: - Tests: update

    @Test func aFailingModelStopsUpdateWith75AndTheNextUpdateAppliesTheBatchExactlyOnce() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "error": "rate limited, try later"]])
        #expect(try memory.logPrompt("I am a Go developer").status == 0)

        let failed = try memory.porcelain(["update"])
        #expect(failed.status == 75)
        let ours = failed.err.split(separator: "\n").filter { $0.hasPrefix("llm-memory:") }
        #expect(ours.count == 1, "one line from the porcelain: \(failed.err)")
        #expect(ours.first?.contains("mem-propose") == true)
        #expect(ours.first?.contains("rate limited") == true)
        #expect(memory.read(memory.cursorPath) == nil)
        #expect(memory.read(memory.profilePath) == nil)
        let lastUpdate = try #require(memory.read(memory.path("memory/last-update")))
        #expect(lastUpdate.contains("outcome: failed"))
        let status = try memory.porcelain(["status"]).out
        #expect(status.contains("failed"))
        #expect(status.contains("last error:"))
        #expect(status.contains("rate limited"), "status says why: \(status)")
        #expect(status.contains("waiting:        1 exchange"))

        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Go developer")]])
        let recovered = try memory.porcelain(["update"])
        #expect(recovered.status == 0, "\(recovered.err)")
        #expect(memory.modelCalls() == 2)
        let profile = try #require(memory.read(memory.profilePath))
        #expect(profile.components(separatedBy: "Role: Go developer").count == 2, "the fact once: \(profile)")
        #expect(memory.journal().filter { $0["action"] as? String == "update" }.count == 1)
        #expect(memory.cursor() == memory.newestCursor())
        #expect(try #require(memory.read(memory.path("memory/last-update"))).contains("outcome: ok"))
        #expect(!(try memory.porcelain(["status"]).out.contains("last error")))

        let again = try memory.porcelain(["update"])
        #expect(again.status == 0)
        #expect(memory.modelCalls() == 2)
        #expect(memory.read(memory.profilePath) == profile)
    }

    @Test func aBacklogOf45WithBatch20TakesThreeModelCallsAndEndsAtTheNewestExchange() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Likes Rust")]])
        let python = URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().appendingPathComponent("python").path
        let writer = try run(python, [Repo.root.appendingPathComponent("Tests/Support/write_exchanges.py").path,
                                      memory.sandbox.logsDB, "45"], environment: memory.environment)
        #expect(writer.status == 0, "\(writer.err)")
        #expect(try memory.porcelain(["status"]).out.contains("waiting:        45 exchange"))

        let update = try memory.porcelain(["update"], env: ["LLM_MEMORY_BATCH": "20"])
        #expect(update.status == 0, "\(update.err)")
        #expect(memory.modelCalls() == 3)
        #expect(memory.journal().filter { $0["action"] as? String == "update" }.count == 3)
        #expect(memory.cursor() == memory.newestCursor())
        #expect(try #require(memory.read(memory.path("memory/last-update"))).contains("3 batch(es) applied"))
        #expect(try memory.porcelain(["status"]).out.contains("waiting:        0 exchange"))
    }

    @Test func updateWhileTheLockIsHeldExitsZeroAtOnceAndLeavesTheNote() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
        try FileManager.default.createDirectory(atPath: memory.dir, withIntermediateDirectories: true)

        let holder = try UpdateLockHolder(dir: memory.dir, sandbox: memory.sandbox)
        defer { holder.release() }
        let update = try memory.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(update.err.contains("already running"))
        #expect(FileManager.default.fileExists(atPath: memory.againNotePath))
        #expect(memory.modelCalls() == 0)
        #expect(memory.read(memory.cursorPath) == nil)
        holder.release()

        // Once the lock is free the next update runs, and takes the note away.
        let next = try memory.porcelain(["update"])
        #expect(next.status == 0, "\(next.err)")
        #expect(memory.modelCalls() == 1)
        #expect(!FileManager.default.fileExists(atPath: memory.againNotePath))
        #expect(memory.cursor() == memory.newestCursor())
    }

    @Test func theRunningUpdatePicksUpTheNoteLeftByAnUpdateItTurnedAway() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        let gate = try memory.gatedLLM()
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)

        // Update A takes the lock and waits inside its model call until the gate opens.
        let first = try memory.start(["update"], env: gate.env, name: "first")
        defer { first.stop() }
        #expect(waitUntil { gate.started }, "the first update reached its model call")
        #expect(try memory.logPrompt("I live in Lisbon").status == 0)

        // Update B finds the lock held: exit 0 at once, a note for A.
        let second = try memory.porcelain(["update"], env: gate.env)
        #expect(second.status == 0, "\(second.err)")
        #expect(second.err.contains("already running"))
        #expect(FileManager.default.fileExists(atPath: memory.againNotePath))

        gate.open()
        #expect(first.wait(), "the first update finished")
        #expect(first.process.terminationStatus == 0, "\(first.err)")
        #expect(!FileManager.default.fileExists(atPath: memory.againNotePath), "A made its extra pass")
        #expect(memory.cursor() == memory.newestCursor())
        #expect(try memory.porcelain(["status"]).out.contains("waiting:        0 exchange"))
    }

    @Test func updateBackgroundReturnsAtOnceSilentlyAndLogsToAPrivateLog() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        let gate = try memory.gatedLLM()
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)

        let background = try memory.porcelain(["update", "--background"], env: gate.env, closingFileDescriptors: true)
        #expect(background.status == 0)
        #expect(background.out.isEmpty)
        #expect(background.err.isEmpty)
        // The call has returned; the update it started is still waiting for its model.
        #expect(waitUntil { gate.started }, "the background update reached its model call")
        #expect(memory.read(memory.profilePath)?.contains("Rust developer") != true)
        gate.open()
        #expect(waitUntil { memory.read(memory.profilePath)?.contains("- Role: Rust developer") == true })
        #expect(waitUntil { memory.read(memory.path("memory/last-update"))?.contains("outcome: ok") == true })
        #expect(memory.waitForUpdatesToFinish())

        let logDir = memory.path("memory/log")
        #expect(memory.mode(logDir) == 0o700)
        #expect(memory.mode(logDir + "/updates.log") == 0o600)
        let log = try #require(memory.read(logDir + "/updates.log"))
        #expect(log.hasPrefix("== "))
        #expect(log.contains("mem-merge"))
    }

    // MARK: - Tests: watch

    @Test func watchAppliesNewPromptsReportsItselfInStatusAndStopsCleanlyOnSIGINT() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        let env = ["LLM_MEMORY_UPDATE_INTERVAL": "1"]
        let watchPid = memory.path("memory/watch.pid")

        let watch = try memory.start(["watch"], env: env, name: "watch")
        defer { watch.stop() }
        #expect(waitUntil { memory.read(watchPid) == "\(watch.process.processIdentifier)\n" })
        #expect(try memory.porcelain(["status"]).out
            .contains("watch:          running (pid \(watch.process.processIdentifier))"))

        let second = try memory.porcelain(["watch"], env: env)
        #expect(second.status != 0)
        #expect(second.err.contains("already running"))
        #expect(memory.read(watchPid) == "\(watch.process.processIdentifier)\n")

        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
        #expect(waitUntil { memory.read(memory.profilePath)?.contains("- Role: Rust developer") == true },
                "the watch applied the prompt: \(watch.err)")
        #expect(waitUntil { memory.cursor() == memory.newestCursor() })

        watch.process.interrupt()
        #expect(watch.wait(), "the watch stopped after SIGINT")
        #expect(watch.process.terminationReason == .exit)
        #expect(watch.process.terminationStatus == 0, "\(watch.err)")
        #expect(!FileManager.default.fileExists(atPath: watchPid))
        #expect(try memory.porcelain(["status"]).out.contains("watch:          not running"))
    }

    @Test(arguments: ["abc", "0", "-5", "1.5"])
    func watchRefusesAnIntervalThatIsNotAWholeNumberOfSeconds(interval: String) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let watch = try memory.porcelain(["watch"], env: ["LLM_MEMORY_UPDATE_INTERVAL": interval])
        #expect(watch.status == 64, "\(interval): \(watch.err)")
        #expect(watch.err.contains("LLM_MEMORY_UPDATE_INTERVAL"))
        #expect(!FileManager.default.fileExists(atPath: memory.path("memory/watch.pid")))
    }

    // MARK: - Tests: file modes

    @Test func everyFileInTheMemoryDirIs0600AndEveryDir0700EvenUnderUmask000() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
        let append = try memory.script("append.sh", "printf -- '- Likes tea\\n' >>\"$1\"")
        let file = memory.path("replacement.md")
        try Data(PorcelainUser.sampleProfile.utf8).write(to: URL(fileURLWithPath: file))

        func loose(_ args: [String], env: [String: String] = [:], closingFileDescriptors: Bool = false) throws -> RunResult {
            var environment = memory.environment
            environment.merge(env) { $1 }
            let command = (closingFileDescriptors ? PorcelainUser.fdClosingRunner : []) + [memory.porcelainPath] + args
            return try run("/bin/sh", ["-c", "umask 000; exec \"$@\"", "sh"] + command, environment: environment)
        }
        #expect(try loose(["update"]).status == 0)
        #expect(try loose(["edit"], env: ["EDITOR": append]).status == 0)
        #expect(try loose(["load", file]).status == 0)
        #expect(try loose(["clear", "--yes"]).status == 0)
        #expect(try memory.logPrompt("I like tea").status == 0)
        #expect(try loose(["update", "--background"], closingFileDescriptors: true).status == 0)
        #expect(waitUntil { memory.cursor() == memory.newestCursor() })
        #expect(memory.waitForUpdatesToFinish(), "the background update finished")
        #expect(try loose(["pause"]).status == 0)
        #expect(try loose(["status"]).status == 0)
        #expect(try loose(["render"]).status == 0)
        // The note an update leaves when the lock is held, and a draft kept by a failed edit.
        let holder = try UpdateLockHolder(dir: memory.dir, sandbox: memory.sandbox)
        #expect(try loose(["resume"]).status == 0)
        #expect(try loose(["update"]).err.contains("already running"))
        holder.release()
        let garbage = try memory.script("garbage.sh", #"printf 'x\000y' >"$1""#)
        #expect(try loose(["edit"], env: ["EDITOR": garbage]).status == 65)
        #expect(try loose(["pause"]).status == 0)

        #expect(memory.mode(memory.dir) == 0o700)
        var files: [String] = []
        let walker = try #require(FileManager.default.enumerator(atPath: memory.dir))
        while let relative = walker.nextObject() as? String {
            let path = memory.dir + "/" + relative
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            if isDir.boolValue {
                #expect(memory.mode(path) == 0o700, "\(relative)")
            } else {
                files.append(relative)
                #expect(memory.mode(path) == 0o600, "\(relative)")
            }
        }
        for expected in ["profile.md", "fragment.md", "cursor", "last-update", "paused", "update.again",
                         ".edit.md", "history/journal.jsonl", "log/updates.log"] {
            #expect(files.contains(expected), "\(expected) in \(files)")
        }
        #expect(files.contains { $0.hasPrefix("history/profile-") })
    }

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

// MARK: - Support

/// One sandboxed user: HOME, llm's user dir, the porcelain "installed" beside this build's
/// tools, the scripted model's rules and call log.
private struct PorcelainUser {
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
    var profilePath: String { dir + "/profile.md" }
    var fragmentPath: String { dir + "/fragment.md" }
    var cursorPath: String { dir + "/cursor" }
    var againNotePath: String { dir + "/update.again" }
    var draftPath: String { dir + "/.edit.md" }
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
        (read(dir + "/history/journal.jsonl") ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The texts of the profiles kept in history/.
    func historyProfiles() -> [String] {
        let history = dir + "/history"
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

private struct ModelGate {
    let startedPath: String
    let goPath: String
    let env: [String: String]
    var started: Bool { FileManager.default.fileExists(atPath: startedPath) }
    func open() { _ = FileManager.default.createFile(atPath: goPath, contents: nil) }
}

private struct PorcelainProcess {
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
