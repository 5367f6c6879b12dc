import Foundation
import Testing
import TestKit
@testable import MemKit
#if canImport(Glibc)
import Glibc
#endif

/// "Nothing lost, nothing doubled" under SIGKILL (ARCHITECTURE.md, "Invariants": the commit protocol).
///
/// The harness kills `llm-memory update` — its whole process group, or one stage
/// (mem-extract, mem-propose, mem-merge — `--recover` and `--in-place` — or mem-render) —
/// at moments drawn from a seeded generator (`CRASH_TEST_SEED` to replay a failure), while
/// a stream of exchanges is logged through llm's Python API, each stating one unique fact
/// ("I like fact-0037."). The update's model is the test-only `facts` model
/// (Tests/Support/llm-facts-model), which turns exactly the facts of the exchanges it is
/// shown into `add` ops. Here it runs as a fake `llm` executable (LLM_MEMORY_LLM; the same
/// Python file, ~20 ms a call instead of ~0.7 s through the real llm CLI, so a hundred
/// kills fit in a minute); the concurrency tests and one test here use it as a real llm
/// plugin.
///
/// After every kill: profile.md, if any, is a complete version — byte for byte the
/// profile that replaying the journal's applied ops gives, or the one the `pending`
/// record of an interrupted commit names (its SHA-256); every history file is complete;
/// the journal has no torn line (but a last one an interrupted commit will finish) and no
/// exchange in two merges; the lock is free. After each clean run: exit 0, nothing pending,
/// no temp file left, the cursor is the last merge's `through`, and every exchange logged
/// before the run is in the profile. After the stream ends and a final clean run: every
/// fact is in the profile exactly once, the cursor is mem-extract's last cursor, and the
/// journal has every exchange in exactly one merge — none skipped, none applied twice.
///
/// Stage kills go through shims in the sandbox's bin dir (beside the porcelain, where it
/// looks for its tools first): when `CRASH_TARGET` names the stage, its `CRASH_NTH`-th run
/// gets SIGKILL `CRASH_DELAY` seconds after it starts (timeout(1) -s KILL). The delay
/// ranges come from two calibration updates whose stage runs the shims time; two kills in
/// three land in the second half of a typical run, where a stage writes. No assertion
/// depends on timing: the delays only decide where a kill lands; every check is on the
/// files.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct CrashTests {

    // MARK: - Random kills of updates

    /// One at a time: each calibrates its kill moments on the machine as it is, and runs
    /// its own stream of processes; side by side they would skew each other's timing.
    @Suite(.serialized) struct RandomKills {
        @Test func killingTheWholeUpdateAtRandomMomentsLeavesACompleteProfileAndLosesOrDoublesNoExchange() async throws {
            try await runKillHarness(target: .update, kills: 30, seed: 0x5EED_0001)
        }

        @Test(arguments: [CrashTarget.merge, .extract, .propose, .render])
        func killingOneStageAtRandomMomentsLeavesACompleteProfileAndLosesOrDoublesNoExchange(stage: CrashTarget) async throws {
            let seeds: [CrashTarget: UInt64] = [.extract: 0x5EED_0002, .propose: 0x5EED_0003, .merge: 0x5EED_0004, .render: 0x5EED_0005]
            // mem-merge holds the commit, so it gets the most kills.
            try await runKillHarness(target: stage, kills: stage == .merge ? 30 : 15, seed: seeds[stage]!)
        }
    }

    // MARK: - End to end: an update killed inside mem-merge's commit

    @Test func anUpdateKilledAfterTheProfileWriteDoesNotAskTheModelAgainOrJournalTwice() async throws {
        let lab = try CrashLab(seed: 1)
        defer { lab.remove() }
        try await lab.logFacts(count: 3)
        // What an update would do, stopped like a kill right after the profile rename.
        let exchanges = try await lab.tool("mem-extract", ["--after", ""])
        let delta = try await lab.tool("mem-propose", ["--profile", lab.profilePath], stdin: exchanges.stdout)
        #expect(delta.status == 0, "\(delta.err)")
        var recorder = ChangeRecorder(profilePath: lab.profilePath)
        recorder.store.stopAfter = .profileWritten
        #expect(throws: MemError.self) { try recorder.mergeInPlace(Delta(parsing: Array(delta.stdout))) }
        #expect(FileManager.default.fileExists(atPath: lab.pendingPath))
        #expect(lab.modelCalls().count == 1)

        let update = try await lab.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(update.err.contains("completed an interrupted update"), "\(update.err)")
        #expect(lab.modelCalls().count == 1, "the model was asked again about exchanges already merged")
        let journal = try journalLines(lab.journalPath)
        #expect(journal.count == 1, "\(journal)")
        #expect(lab.profileFacts() == ["fact-0001", "fact-0002", "fact-0003"])
        #expect(lab.cursor() == (try await lab.newestCursor()))
    }

    @Test func aModelCallLeftRunningByAKilledUpdateDoesNotKeepTheUpdateLock() async throws {
        let lab = try CrashLab(seed: 2, realLLM: true)
        defer { lab.remove() }
        try await lab.setUpMemory()
        try await lab.logFacts(count: 2)
        let started = lab.modelLog + ".started"
        let update = try lab.spawnPorcelain(["update"], env: ["FACTS_MODEL_SLEEP": "60"], name: "slow")
        // The model writes its pid into a file it has just created: wait for the pid itself.
        func startedPid() -> Int32 {
            Int32((try? String(contentsOfFile: started, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        #expect(await eventually(timeout: 60, every: 0.02) { startedPid() > 0 })
        let modelPid = startedPid()
        kill(-update, SIGKILL)
        _ = await reap(update, timeout: 10)
        defer { if modelPid > 0 { kill(modelPid, SIGKILL) } }
        #expect(modelPid > 0 && isAlive(modelPid), "the model call should still be running")
        // The kernel drops the lock once the killed processes are gone (not the model's).
        #expect(await eventually(timeout: 10, every: 0.02) { await lab.lockIsFree() }, "the orphaned model call keeps the update lock")
        #expect(modelPid > 0 && isAlive(modelPid))
        let next = try await lab.porcelain(["update"])
        #expect(next.status == 0, "\(next.err)")
        #expect(!next.err.contains("already running"), "\(next.err)")
        #expect(lab.profileFacts() == ["fact-0001", "fact-0002"])
    }

    // MARK: - edit, load, clear

    @Test func killingEditLoadOrClearAtRandomMomentsLeavesACompleteProfileAndALaterEditWorks() async throws {
        let seed = CrashLab.seed(default: 0x5EED_0006)
        var rng = SplitMix64(seed: seed)
        let lab = try CrashLab(seed: seed)
        defer { lab.remove() }
        let initial = PorcelainText.profile(["Name: Ada"])
        let first = lab.work + "/initial.md"
        try Data(initial.utf8).write(to: URL(fileURLWithPath: first))
        #expect(try await lab.porcelain(["load", first]).status == 0)
        var versions: Set<String> = [initial, ProfileDocument.defaultText]

        // Editors: one that writes at once; one that says it started and then waits.
        let quick = try lab.script("quick-editor", "printf -- '- Edited %s\\n' \"$(cat \(lab.work)/edit-n)\" >>\"$1\"")
        let slowStarted = lab.work + "/slow.started"
        let slow = try lab.script("slow-editor", """
            printf -- '- Half-written edit\\n' >>"$1"
            : >"\(slowStarted)"
            sleep 60
            """)

        // Time each command once, to draw kill moments over its whole run.
        var durations: [String: Double] = [:]
        for command in ["edit", "load", "clear"] {
            let (args, env) = try lab.editCommand(command, n: 0, editor: quick)
            let begin = Date()
            let result = try await lab.porcelain(args, env: env)
            durations[command] = Date().timeIntervalSince(begin)
            #expect(result.status == 0, "\(command): \(result.err)")
            if let text = lab.profileText() { versions.insert(text) }
        }

        var kills: [String: Int] = [:]
        var n = 0
        while kills.values.reduce(0, +) < 30, n < 90 {
            n += 1
            let command = ["edit", "load", "clear", "edit-in-editor"][Int(rng.next() % 4)]
            let before = lab.profileText()
            var killed = false
            if command == "edit-in-editor" {
                try? FileManager.default.removeItem(atPath: slowStarted)
                let pid = try lab.spawnPorcelain(["edit"], env: ["EDITOR": slow, "VISUAL": ""], name: "edit-\(n)")
                #expect(await eventually(timeout: 30, every: 0.02) { FileManager.default.fileExists(atPath: slowStarted) })
                kill(-pid, SIGKILL)
                killed = isKilled(await reap(pid, timeout: 30))
            } else {
                let (args, env) = try lab.editCommand(command, n: n, editor: quick)
                if let text = lab.expectedText(command, n: n, current: before) { versions.insert(text) }
                let delay = Double.random(in: 0...(durations[command]! * 1.2), using: &rng)
                let pid = try lab.spawnPorcelain(args, env: env, name: "\(command)-\(n)")
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                kill(-pid, SIGKILL)
                let status = await reap(pid, timeout: 30)
                killed = isKilled(status)
                #expect(killed || exitCode(status) == 0, "\(command) #\(n) exited \(String(describing: status))")
            }
            if killed { kills[command, default: 0] += 1 }
            let context = "seed \(seed), \(command) #\(n)"
            #expect(await eventually(timeout: 10, every: 0.02) { await lab.lockIsFree() }, "\(context): the lock is still held")
            // Complete: byte for byte one of the versions some command wrote.
            if let text = lab.profileText() {
                #expect(versions.contains(text), "\(context): profile.md is not a complete version:\n\(text)")
            }
            for (name, text) in lab.historyTexts() {
                #expect(versions.contains(text), "\(context): history/\(name) is not a complete version:\n\(text)")
            }
            #expect(lab.journalProblems().isEmpty, "\(context): \(lab.journalProblems())")
            #expect(provenanceProblems(lab.profilePath).isEmpty, "\(context): \(provenanceProblems(lab.profilePath))")

            // A later edit works: the kernel released the lock, and any draft left behind
            // is what the next edit continues.
            try Data("\(n)".utf8).write(to: URL(fileURLWithPath: lab.work + "/edit-n"))
            let draft = (try? String(contentsOfFile: lab.memoryDir + "/.edit.md", encoding: .utf8))
            let later = try await lab.porcelain(["edit"], env: ["EDITOR": quick, "VISUAL": ""])
            #expect(later.status == 0, "\(context): the next edit failed: \(later.err)")
            let after = try #require(lab.profileText(), "\(context)")
            #expect(after.hasSuffix("- Edited \(n)\n"), "\(context): \(after)")
            if let draft { #expect(after == draft + "- Edited \(n)\n", "\(context): the draft was not continued") }
            versions.insert(after)
            #expect(!FileManager.default.fileExists(atPath: lab.pendingPath), "\(context)")
            #expect(lab.leftovers().isEmpty, "\(context): left behind: \(lab.leftovers())")
            #expect(provenanceProblems(lab.profilePath).isEmpty, "\(context), after the next edit: \(provenanceProblems(lab.profilePath))")
            let recordedByHand = try journalLines(lab.journalPath).filter { $0["action"] == .string("hand-edit") }
            #expect(recordedByHand.isEmpty, "\(context): a hand edit was recorded")
        }
        let total = kills.values.reduce(0, +)
        #expect(total >= 30, "only \(total) kills landed: \(kills)")
        print("crash harness [edit/load/clear]: seed \(seed), \(total) kills survived \(kills.sorted { $0.key < $1.key })")
    }
}
