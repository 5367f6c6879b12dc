import Foundation
import Testing

/// A backfill while it runs: stopped with Ctrl-C or killed, and run again; live updates
/// between its passes; its progress. Twenty facts from before memory started ("I like
/// fact-0001." … held with `echo`), five a pass; the memory model is `facts`, answered by
/// a stand-in `llm` (`BackfillLab.standIn`) that does what a test needs at the moment a
/// given backfill call is made — so nothing here waits for a time to pass.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venvs (make test-env)"))
struct BackfillRunTests {
    static let all = (1...20).map(BackfillLab.fact)

    private func userWithTwentyOldFacts() throws -> BackfillLab {
        let lab = try BackfillLab()
        try lab.log(BackfillLab.facts(1...20))
        try lab.setUpMemory()
        return lab
    }

    /// Every exchange from before memory started is in exactly one backfill change, and
    /// the run left nothing behind.
    private func expectEveryExchangeOnce(_ lab: BackfillLab, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ids = try lab.exchangeIDs()
        #expect(ids.count == 20, sourceLocation: sourceLocation)
        #expect(lab.backfilledExchanges().flatMap { $0 }.sorted() == ids.sorted(), "\(lab.backfilledExchanges())",
                sourceLocation: sourceLocation)
        #expect(lab.learned() == Self.all, "\(lab.learned())", sourceLocation: sourceLocation)
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: lab.dir)) ?? []).filter { $0.hasPrefix(".backfill.") }
            + [lab.memory.backfillPid, lab.memory.pending].filter { FileManager.default.fileExists(atPath: $0) }
        #expect(left.isEmpty, "left behind: \(left)", sourceLocation: sourceLocation)
    }

    // MARK: - Stopped and resumed

    /// Ctrl-C during the second batch's model call (SIGINT to the backfill's process
    /// group, as a terminal sends it): the batch is finished and committed, the backfill
    /// stops (130) and says how to continue. A second Ctrl-C drops the batch and stops at
    /// once. Run again, it reads what is left: every fact once, none lost.
    @Test(arguments: [1, 2])
    func ctrlCStopsAfterTheBatchOrAtOnceAndRunningAgainLearnsEveryFactOnce(presses: Int) async throws {
        let lab = try userWithTwentyOldFacts()
        defer { lab.remove() }
        // The second press comes once the backfill has said it will stop after the batch.
        let second = presses == 1 ? "" : """
            i=0
            until grep -q 'stopping after this batch' '\(lab.work)/first.err'; do
              i=$((i + 1)); [ "$i" -le 2400 ] || exit 75; sleep 0.05
            done
            kill -INT "-$PGID"
            """
        var env = try lab.standIn("""
            if [ "$CALL" = 2 ] && [ ! -e '\(lab.work)/pressed' ]; then
              : >'\(lab.work)/pressed'
              kill -INT "-$PGID"
            \(second)
            fi
            """)
        env["LLM_MEMORY_BATCH"] = "5"
        let pid = try lab.spawn(["backfill", "--yes"], env: env, name: "first")
        let status = await reap(pid, timeout: 120)
        let first = lab.output("first")
        #expect(exitCode(status) == 130, "\(first.err)")
        let kept = presses == 1 ? 10 : 5
        #expect(first.err.contains("stopping after this batch"), "\(first.err)")
        #expect(first.err.contains("backfill stopped: \(kept) of 20 exchanges read"), "\(first.err)")
        #expect(first.err.contains("llm memory backfill continues where it stopped"), "\(first.err)")
        #expect(lab.learned() == Array(Self.all.prefix(kept)))
        #expect(try lab.statusLine("backfill")
            == "backfill:       \(kept) of 20 exchanges from before memory started read; \(20 - kept) left (llm memory backfill continues)")

        let again = try lab.porcelain(["backfill", "--yes"], env: env)
        #expect(again.status == 0, "\(again.err)")
        #expect(again.err.contains("backfill done: \(20 - kept) of \(20 - kept) exchanges read"), "\(again.err)")
        try expectEveryExchangeOnce(lab)
    }

    /// `kill -9` of the backfill's whole process group during a model call (before any
    /// batch was committed, and after two were): the lock goes with it, `status` does not
    /// call it running, and `backfill` again continues — nothing lost, nothing doubled.
    @Test(arguments: [1, 3])
    func aBackfillKilledMidRunLosesAndDoublesNothingWhenRunAgain(duringCall call: Int) async throws {
        let lab = try userWithTwentyOldFacts()
        defer { lab.remove() }
        var env = try lab.standIn("""
            if [ "$CALL" = \(call) ] && [ ! -e '\(lab.work)/killed' ]; then
              : >'\(lab.work)/killed'
              kill -KILL "-$PGID"
            fi
            """)
        env["LLM_MEMORY_BATCH"] = "5"
        let pid = try lab.spawn(["backfill", "--yes"], env: env, name: "killed")
        let status = await reap(pid, timeout: 120)
        #expect(isKilled(status), "\(lab.output("killed").err)")
        #expect(lab.learned() == Array(Self.all.prefix((call - 1) * 5)))
        #expect(lab.waitFor("killed"))
        #expect(try !lab.statusLine("backfill").contains("running"))

        let again = try lab.porcelain(["backfill", "--yes"], env: env)
        #expect(again.status == 0, "\(again.err)")
        try expectEveryExchangeOnce(lab)
        #expect(try lab.statusLine("backfill") == "backfill:       done: all 20 exchanges from before memory started were read")
    }

    // MARK: - Live updates

    /// While the backfill waits for its first batch's model call, the user talks to llm
    /// and an update is asked for (as the wrapper asks after each call): it returns at
    /// once, and the new exchange is learned before the backfill's second batch — while
    /// the backfill is still running — not after the whole backfill.
    @Test func aLiveUpdateRunsBetweenBackfillPassesAndDoesNotWaitForTheWholeBackfill() async throws {
        let lab = try userWithTwentyOldFacts()
        defer { lab.remove() }
        // Each backfill call N says it started, then waits for go.N (or go.all).
        var env = try lab.standIn("""
            if [ -n "$BACKFILL" ]; then
              : >'\(lab.work)/started.'"$CALL"
              i=0
              while [ ! -e '\(lab.work)/go.'"$CALL" ] && [ ! -e '\(lab.work)/go.all' ]; do
                i=$((i + 1)); [ "$i" -le 2400 ] || exit 75; sleep 0.05
              done
            fi
            """)
        env["LLM_MEMORY_BATCH"] = "5"
        let pid = try lab.spawn(["backfill", "--yes"], env: env, name: "backfill")
        defer { lab.touch("go.all"); kill(-pid, SIGKILL); _ = waitpid(pid, nil, 0) }
        #expect(lab.waitFor("started.1"), "\(lab.output("backfill").err)")

        try lab.log([BackfillLab.Said(prompt: "I like fact-0100.")])
        let live = try lab.porcelain(["update"], env: env)
        #expect(live.status == 0, "\(live.err)")
        #expect(live.err.contains("an update is already running; it will make one more pass"), "\(live.err)")

        lab.touch("go.1")
        #expect(lab.waitFor("started.2"), "\(lab.output("backfill").err)")
        // The backfill is inside its second batch: the live exchange is learned already.
        #expect(isAlive(pid))
        #expect(lab.learned() == Array(Self.all.prefix(5)) + ["fact-0100"], "\(lab.learned())")
        #expect(cursorToken(lab.dir) == newestCursor(lab), "the live update read up to the newest exchange")
        let status = try lab.statusLine("backfill")
        #expect(status.hasPrefix("backfill:       running (pid \(pid)): 5 of 20 exchanges from before memory started read"), "\(status)")

        lab.touch("go.all")
        let finished = await reap(pid, timeout: 120)
        #expect(exitCode(finished) == 0, "\(lab.output("backfill").err)")
        #expect(lab.learned().sorted() == (Self.all + ["fact-0100"]).sorted())
        #expect(Set(lab.learned()).count == 21)
    }

    private func newestCursor(_ lab: BackfillLab) -> String? {
        (try? run(Repo.tool("mem-extract"), ["--newest"], environment: lab.environment))?.out
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Progress

    /// Not on a terminal: one plain line per batch and a summary, no control characters.
    @Test func withoutATerminalProgressIsOnePlainLinePerBatch() throws {
        let lab = try userWithTwentyOldFacts()
        defer { lab.remove() }
        var env = try lab.standIn("")
        env["LLM_MEMORY_BATCH"] = "5"
        let backfill = try lab.porcelain(["backfill", "--yes"], env: env)
        #expect(backfill.status == 0, "\(backfill.err)")
        let lines = backfill.err.split(separator: "\n")
        #expect(lines.count == 5, "\(backfill.err)")
        for (i, line) in lines.prefix(4).enumerated() {
            let done = (i + 1) * 5
            #expect(line.hasPrefix("llm-memory: backfill: \(done)/20 exchanges read, \(i + 1) model calls, \(done) facts added, "), "\(line)")
        }
        #expect(lines.last?.hasPrefix("llm-memory: backfill done: 20 of 20 exchanges read, 4 model calls, 20 facts added in ") == true)
        #expect(!backfill.err.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(backfill.err.debugDescription)")
        #expect(backfill.out.contains("exchanges in range"))
    }

    /// On a terminal (`script` gives it one): asked first, the default is no; with --yes,
    /// one progress line redrawn in place, then the summary.
    @Test func onATerminalItAsksFirstAndRedrawsOneProgressLine() throws {
        let lab = try userWithTwentyOldFacts()
        defer { lab.remove() }
        let script = try #require(["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) })
        var env = try lab.standIn("")
        env["LLM_MEMORY_BATCH"] = "5"
        func onATerminal(_ args: [String], typing: String) throws -> RunResult {
            let command = ([lab.porcelainPath] + args).map { "'\($0)'" }.joined(separator: " ")
            return try run(script, ["-q", "-e", "-c", command, "/dev/null"], stdin: Data(typing.utf8),
                           environment: lab.environment.merging(env) { $1 })
        }
        let declined = try onATerminal(["backfill"], typing: "\n")
        #expect(declined.status == 1, "\(declined.out)")
        #expect(declined.out.contains("Start the backfill? (Ctrl-C stops it after a batch; running it again continues) [y/N]"), "\(declined.out)")
        #expect(declined.out.contains("llm-memory: the backfill did not start"), "\(declined.out)")
        #expect(lab.learned().isEmpty && lab.factsCalls().isEmpty)

        let terminal = try onATerminal(["backfill", "--yes"], typing: "")
        #expect(terminal.status == 0, "\(terminal.out)")
        let shown = terminal.out
        #expect(shown.contains("\rllm-memory: backfill [#####---------------] 5/20 exchanges · 1 calls · 5 facts · "), "\(shown.debugDescription)")
        #expect(shown.contains("\rllm-memory: backfill [####################] 20/20 exchanges · 4 calls · 20 facts · "), "\(shown.debugDescription)")
        #expect(shown.contains("\u{1B}[K"))
        #expect(shown.contains("llm-memory: backfill done: 20 of 20 exchanges read, 4 model calls, 20 facts added"), "\(shown.debugDescription)")
        #expect(!shown.contains("mem-propose:") && !shown.contains("mem-merge:"), "the tools' reports go to the log")
        #expect(lab.learned() == Self.all)
    }
}
