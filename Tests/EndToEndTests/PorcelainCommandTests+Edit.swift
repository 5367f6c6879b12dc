import Foundation
import Testing

/// The porcelain's commands that change the profile by hand: edit, load, clear.
extension PorcelainCommandTests {
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
            cat "\(memory.cursorPath)" >"\(probe).cursor"
            printf -- '- Edited while an update was asked for\\n' >>"$1"
            """)
        let cursor = try #require(memory.cursor(), "load set memory up")
        let edit = try memory.porcelain(["edit"], env: ["EDITOR": script], closingFileDescriptors: true)
        #expect(edit.status == 0, "\(edit.err)")
        #expect(memory.read(probe + ".flock") == "held\n")
        let update = try #require(memory.read(probe + ".update"))
        #expect(update.contains("already running"))
        #expect(update.hasSuffix("exit 0\n"))
        // The update that was turned away left its note, made no model call and moved nothing.
        #expect(memory.read(probe + ".note") == "note\n")
        #expect(memory.read(probe + ".calls") == "0\n")
        #expect(memory.read(probe + ".cursor") == cursor + "\n")
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
        #expect(waitUntil { memory.lastUpdate()?.outcome == "ok" })
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
        let cursor = try #require(memory.cursor(), "load set memory up")
        _ = FileManager.default.createFile(atPath: memory.againNotePath, contents: nil)
        // Run without closing descriptors: this waits for any update the command starts.
        let clear = try memory.porcelain(["clear", "--yes"],
                                         env: ["LLM_MEMORY_MODEL": "local"].merging(mode == "paused" ? [:] : ["LLM_MEMORY_UPDATES": "false"]) { $1 })
        #expect(clear.status == 0, "\(clear.err)")
        #expect(memory.waitForUpdatesToFinish())
        #expect(FileManager.default.fileExists(atPath: memory.againNotePath), "\(mode)")
        #expect(memory.cursor() == cursor, "\(mode): an update ran")
        #expect(memory.read(memory.path("memory/log/updates.log")) == nil, "\(mode)")
    }
}
