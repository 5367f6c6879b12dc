import Foundation
import Testing

/// Learning: update (foreground, background, the lock and its note), pause/resume, watch,
/// and the modes of every file an update writes.
extension PorcelainCommandTests {
    // MARK: - Tests: pause, resume

    /// What was logged before the pause and not yet applied is learned after `resume`;
    /// what was said while paused never is (issue 15 §2; more in OffRecordUpdateTests).
    @Test func pauseStopsUpdatesAcrossProcessesButKeepsTheFragmentAndResumeAppliesTheBacklogFromBeforeIt() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        try memory.setUpMemory()
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
        #expect(try memory.porcelain(["update"]).status == 0)
        let cursor = try #require(memory.read(memory.cursorPath))
        let fragment = try #require(memory.read(memory.fragmentPath))
        #expect(memory.modelCalls() == 1)

        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Likes tea")]])
        #expect(try memory.logPrompt("I like tea").status == 0)
        let pause = try memory.porcelain(["pause"])
        #expect(pause.status == 0, "\(pause.err)")
        #expect(FileManager.default.fileExists(atPath: memory.path("memory/paused")))
        #expect(try memory.porcelain(["status"]).out.contains("paused:         yes"))

        #expect(try memory.logPrompt("I like strong coffee").status == 0)
        let paused = try memory.porcelain(["update"])
        #expect(paused.status == 0, "\(paused.err)")
        #expect(paused.err.contains("paused"))
        #expect(memory.read(memory.cursorPath) == cursor)
        #expect(memory.read(memory.fragmentPath) == fragment)
        #expect(memory.modelCalls() == 1)
        #expect(try memory.porcelain(["status"]).out.contains("waiting:        2 exchange"))

        let resume = try memory.porcelain(["resume"])
        #expect(resume.status == 0, "\(resume.err)")
        #expect(try memory.porcelain(["status"]).out.contains("paused:         no"))
        let update = try memory.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(memory.modelCalls() == 2)
        #expect(memory.read(memory.cursorPath) != cursor)
        #expect(memory.cursor() == memory.newestCursor())
        #expect(try #require(memory.read(memory.fragmentPath)).contains("Likes tea"))
        let sent = memory.read(memory.modelLogPath) ?? ""
        #expect(sent.contains("I like tea"))
        #expect(!sent.contains("coffee"), "what was said while paused was sent to the model")
    }

    // MARK: - Tests: update

    @Test func aFailingModelStopsUpdateWith75AndTheNextUpdateAppliesTheBatchExactlyOnce() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "error": "rate limited, try later"]])
        let origin = try memory.setUpMemory()
        #expect(try memory.logPrompt("I am a Go developer").status == 0)

        let failed = try memory.porcelain(["update"])
        #expect(failed.status == 75)
        let ours = failed.err.split(separator: "\n").filter { $0.hasPrefix("llm-memory:") }
        #expect(ours.count == 1, "one line from the porcelain: \(failed.err)")
        #expect(ours.first?.contains("mem-propose") == true)
        #expect(ours.first?.contains("rate limited") == true)
        #expect(memory.cursor() == origin)
        #expect(memory.read(memory.profilePath) == nil)
        #expect(memory.lastUpdate()?.outcome == "failed")
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
        #expect(memory.lastUpdate()?.outcome == "ok")
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
        try memory.setUpMemory()
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
        #expect(memory.lastUpdate()?.message == "3 batch(es) applied")
        #expect(try memory.porcelain(["status"]).out.contains("waiting:        0 exchange"))
    }

    @Test func updateWhileTheLockIsHeldExitsZeroAtOnceAndLeavesTheNote() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Role: Rust developer")]])
        let origin = try memory.setUpMemory()
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)

        let holder = try UpdateLockHolder(dir: memory.dir, sandbox: memory.sandbox)
        defer { holder.release() }
        let update = try memory.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(update.err.contains("already running"))
        #expect(FileManager.default.fileExists(atPath: memory.againNotePath))
        #expect(memory.modelCalls() == 0)
        #expect(memory.cursor() == origin)
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
        try memory.setUpMemory()
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
        try memory.setUpMemory()
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
        #expect(waitUntil { memory.lastUpdate()?.outcome == "ok" })
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
        let append = try memory.script("append.sh", "printf -- '- Likes tea\\n' >>\"$1\"")
        let file = memory.path("replacement.md")
        try Data(PorcelainUser.sampleProfile.utf8).write(to: URL(fileURLWithPath: file))

        func loose(_ args: [String], env: [String: String] = [:], closingFileDescriptors: Bool = false) throws -> RunResult {
            var environment = memory.environment
            environment.merge(env) { $1 }
            let command = (closingFileDescriptors ? PorcelainUser.fdClosingRunner : []) + [memory.porcelainPath] + args
            return try run("/bin/sh", ["-c", "umask 000; exec \"$@\"", "sh"] + command, environment: environment)
        }
        #expect(try loose(["update"]).status == 0)  // sets memory up (origin, cursor)
        #expect(try memory.logPrompt("I am a Rust developer").status == 0)
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
        for expected in ["profile.md", "fragment.md", "cursor", "origin", "last-update", "paused", "update.again",
                         ".edit.md", "history/journal.jsonl", "log/updates.log"] {
            #expect(files.contains(expected), "\(expected) in \(files)")
        }
        #expect(files.contains { $0.hasPrefix("history/profile-") })
    }
}
