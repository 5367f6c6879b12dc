import Foundation
import Testing

/// `llm memory backfill` as a command: its help and its refusals, the part of the history
/// it reads (`--since`, `--last`), and where the exchanges go (each only to its own model,
/// or all to the `--model` chosen; never elsewhere).
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venvs (make test-env)"))
struct BackfillCommandTests {
    typealias Said = BackfillLab.Said

    // MARK: - Help and refusals

    @Test func helpSaysWhatItDoesAndDoesNothingElse() throws {
        let lab = try BackfillLab()
        defer { lab.remove() }
        for args in [["backfill", "--help"], ["backfill", "-h"], ["help", "backfill"]] {
            let help = try lab.porcelain(args)
            #expect(help.status == 0, "\(args): \(help.err)")
            #expect(help.out.hasPrefix("Usage: llm-memory backfill [--dry-run] [--yes] [--since DATE | --last N] [--model ID]"), "\(help.out)")
            for option in ["--dry-run", "--yes", "--since DATE", "--last N", "--model ID", "Ctrl-C"] {
                #expect(help.out.contains(option), "\(args): \(option) in\n\(help.out)")
            }
        }
        #expect(try lab.porcelain(["help"]).out.contains("backfill [--dry-run] [--yes] [--since DATE | --last N] [--model ID]"))
        #expect(!FileManager.default.fileExists(atPath: lab.dir), "--help set memory up")
        let tool = try run(Repo.tool("mem-backfill"), ["--help"], environment: lab.environment)
        #expect(tool.status == 0)
        for subcommand in ["estimate", "next", "progress", "status"] { #expect(tool.out.contains(subcommand), "\(tool.out)") }
        let version = try run(Repo.tool("mem-backfill"), ["--version"], environment: lab.environment)
        let porcelainVersion = try lab.porcelain(["--version"]).out
        #expect(version.status == 0 && version.out == porcelainVersion)
    }

    /// Wrong arguments: exit 64, one line naming what is wrong, and nothing set up or read.
    @Test(arguments: [
        (["--frobnicate"], "unexpected option '--frobnicate'"),
        (["extra"], "unexpected argument 'extra'"),
        (["--since"], "--since needs a value"),
        (["--since", "yesterday"], "--since takes a date like 2025-06-01"),
        (["--since", "2025-13-01"], "--since takes a date like 2025-06-01"),
        (["--since=2025-06-01T9:00"], "--since takes a date like 2025-06-01"),
        (["--last", "0"], "--last takes a number of exchanges (1 or more)"),
        (["--last", "ten"], "--last takes a number of exchanges (1 or more)"),
        (["--since", "2025-06-01", "--last", "3"], "--since and --last cannot be used together"),
        (["--model", "two words"], "--model takes one model id"),
        (["--model"], "--model needs a value"),
    ])
    func wrongArgumentsExit64WithOneLineAndChangeNothing(args: [String], message: String) throws {
        let lab = try BackfillLab()
        defer { lab.remove() }
        try lab.log(BackfillLab.facts(1...2))
        let result = try lab.porcelain(["backfill"] + args)
        #expect(result.status == 64, "\(args): \(result.err)")
        let lines = result.err.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains(message) == true, "\(args): \(result.err)")
        #expect(result.out.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: lab.dir), "\(args) set memory up")
    }

    /// A model llm does not have is refused before anything is read (69); so is a backfill
    /// while paused (1), and a second one while one runs (75).
    @Test func anUnknownModelAPauseOrARunningBackfillStopsItBeforeAnythingIsSent() async throws {
        let lab = try BackfillLab()
        defer { lab.remove() }
        try lab.log(BackfillLab.facts(1...10))
        try lab.setUpMemory()
        let unknown = try lab.porcelain(["backfill", "--yes", "--model", "nosuchmodel"])
        #expect(unknown.status == 69)
        #expect(unknown.err.contains("llm has no model 'nosuchmodel'") && unknown.err.contains("the backfill did not start"), "\(unknown.err)")

        #expect(try lab.porcelain(["pause"]).status == 0)
        let paused = try lab.porcelain(["backfill", "--yes"])
        #expect(paused.status == 1 && paused.err.contains("memory is paused"), "\(paused.err)")
        #expect(try lab.porcelain(["backfill", "--dry-run"]).status == 0, "the estimate is shown while paused")
        #expect(try lab.porcelain(["resume"]).status == 0)

        // A backfill waiting in its first model call; a second one is turned away.
        var env = try lab.standIn("""
            : >'\(lab.work)/started'
            i=0
            while [ ! -e '\(lab.work)/go' ]; do i=$((i + 1)); [ "$i" -le 2400 ] || exit 75; sleep 0.05; done
            """)
        env["LLM_MEMORY_BATCH"] = "5"
        let pid = try lab.spawn(["backfill", "--yes"], env: env, name: "running")
        defer { lab.touch("go"); kill(-pid, SIGKILL); _ = waitpid(pid, nil, 0) }
        #expect(lab.waitFor("started"), "\(lab.output("running").err)")
        let second = try lab.porcelain(["backfill", "--yes"], env: env)
        #expect(second.status == 75, "\(second.err)")
        #expect(second.err.contains("a backfill is already running (pid \(pid))"), "\(second.err)")
        lab.touch("go")
        #expect(exitCode(await reap(pid, timeout: 120)) == 0, "\(lab.output("running").err)")
        #expect(lab.learned() == (1...10).map(BackfillLab.fact))
        #expect(lab.factsCalls().flatMap { $0 }.sorted() == (1...10).map(BackfillLab.fact), "each exchange was sent once")
    }

    // MARK: - The range

    /// Ten exchanges, one every ten days from 100 days ago. `--since` counts only what was
    /// logged since the date; `--last 3` learns the newest three; a backfill of all after
    /// that reads the seven left — each exchange learned once.
    @Test func sinceAndLastLimitTheRangeAndALaterFullBackfillReadsOnlyWhatIsLeft() throws {
        let lab = try BackfillLab()
        defer { lab.remove() }
        try lab.log((1...10).map { Said(prompt: "I like \(BackfillLab.fact($0)).", daysAgo: Double(110 - 10 * $0)) })
        try lab.setUpMemory()
        var env = try lab.standIn("")
        env["LLM_MEMORY_BATCH"] = "4"
        let day = ISO8601DateFormatter.string(from: Date().addingTimeInterval(-45 * 86400), timeZone: TimeZone(identifier: "UTC")!,
                                              formatOptions: [.withFullDate])
        let since = try lab.porcelain(["backfill", "--dry-run", "--since", day], env: env)
        #expect(since.status == 0, "\(since.err)")
        #expect(since.out.range(of: #"exchanges in range +4 \(logged since "# + day, options: .regularExpression) != nil, "\(since.out)")

        let last = try lab.porcelain(["backfill", "--yes", "--last", "3"], env: env)
        #expect(last.status == 0, "\(last.err)")
        #expect(lab.learned() == (8...10).map(BackfillLab.fact))
        #expect(try lab.statusLine("backfill").hasPrefix("backfill:       3 of 10 exchanges from before memory started read; 7 left"))

        let rest = try lab.porcelain(["backfill", "--dry-run"], env: env)
        #expect(rest.out.range(of: #"read already +3 "#, options: .regularExpression) != nil, "\(rest.out)")
        #expect(rest.out.range(of: #"to read now +7\b"#, options: .regularExpression) != nil, "\(rest.out)")
        let all = try lab.porcelain(["backfill", "--yes"], env: env)
        #expect(all.status == 0, "\(all.err)")
        #expect(lab.learned().sorted() == (1...10).map(BackfillLab.fact))
        #expect(lab.factsCalls().flatMap { $0 }.sorted() == (1...10).map(BackfillLab.fact), "each exchange was sent once")
        #expect(try lab.statusLine("backfill") == "backfill:       done: all 10 exchanges from before memory started were read")
    }

    // MARK: - Where the exchanges go

    /// Five old exchanges held with two models, in turns. Without a memory model, each goes
    /// only to its own: while `scripted` cannot be used the backfill stops there (69) and
    /// sends its exchanges nowhere else — no fallback — and continues once it is back.
    @Test func eachExchangeGoesOnlyToItsOwnModelAndAModelThatIsGoneStopsTheBackfill() throws {
        let lab = try BackfillLab()
        defer { lab.remove() }
        try lab.setRules([
            BackfillLab.rule(whenUserSaid: "I'm a Rust developer.", [["op": "add", "section": "Personal Information", "text": "Role: Rust developer"]]),
            BackfillLab.rule(whenUserSaid: "I prefer short answers.", [["op": "add", "section": "Preferences", "text": "Prefers short answers"]]),
        ])
        try lab.log([Said(prompt: "I like fact-0001.", model: "facts", daysAgo: 50),
                     Said(prompt: "I'm a Rust developer.", model: "scripted", daysAgo: 40),
                     Said(prompt: "I like fact-0002.", model: "facts", daysAgo: 30),
                     Said(prompt: "I prefer short answers.", model: "scripted", daysAgo: 20),
                     Said(prompt: "I like fact-0003.", model: "facts", daysAgo: 10)])
        try lab.setUpMemory()

        let gone = try lab.porcelain(["backfill", "--yes"], env: ["LLM_LOAD_PLUGINS": "llm-echo,llm-user-memory-facts-model"])
        #expect(gone.status == 69, "\(gone.err)")
        #expect(gone.err.contains("model 'scripted' cannot be used"), "\(gone.err)")
        #expect(lab.factsCalls() == [["fact-0001"]], "\(lab.factsCalls())")
        #expect(lab.scriptedUpdates().isEmpty)
        #expect(lab.learned() == ["fact-0001"])

        let back = try lab.porcelain(["backfill", "--yes"])
        #expect(back.status == 0, "\(back.err)")
        #expect(lab.factsCalls() == [["fact-0001"], ["fact-0002"], ["fact-0003"]], "\(lab.factsCalls())")
        let scripted = lab.scriptedUpdates().map(\.prompt)
        // (The profile each request shows may hold facts learned from the other model's exchanges.)
        #expect(scripted.count == 2 && scripted.allSatisfy { !$0.contains("I like fact-") }, "\(scripted)")
        let profile = lab.profile()
        #expect(profile.contains("- Role: Rust developer\n") && profile.contains("- Prefers short answers\n"), "\(profile)")
        #expect(lab.learned() == ["fact-0001", "fact-0002", "fact-0003"])
    }

    /// With `--model`, every exchange of the backfill goes to that model (one request, as
    /// the estimate says) and none to the model it was held with.
    @Test func withModelEveryExchangeGoesToTheChosenModelAndNoneToItsOwn() throws {
        let lab = try BackfillLab()
        defer { lab.remove() }
        try lab.log([Said(prompt: "I like fact-0001.", model: "facts", daysAgo: 50),
                     Said(prompt: "I'm a Rust developer.", model: "scripted", daysAgo: 40),
                     Said(prompt: "I like fact-0002.", model: "facts", daysAgo: 30)])
        try lab.setUpMemory()
        let estimate = try lab.porcelain(["backfill", "--dry-run", "--model", "scripted"])
        #expect(estimate.out.range(of: #"\n  scripted +3 +1 "#, options: .regularExpression) != nil, "\(estimate.out)")
        #expect(estimate.out.contains("every exchange goes to the memory model scripted, from --model"), "\(estimate.out)")

        let backfill = try lab.porcelain(["backfill", "--yes", "--model", "scripted"])
        #expect(backfill.status == 0, "\(backfill.err)")
        let requests = lab.scriptedUpdates().map(\.prompt)
        #expect(requests.count == 1, "\(requests)")
        for words in ["I like fact-0001.", "I'm a Rust developer.", "I like fact-0002."] {
            #expect(requests.first?.contains(words) == true, "\(words) did not reach the chosen model")
        }
        #expect(lab.factsCalls().isEmpty, "an exchange went to the model it was held with")
    }
}
