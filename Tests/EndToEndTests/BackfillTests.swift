import Foundation
import MemKit
import Testing

/// Issue 11: nothing old is sent by accident, and a deliberate backfill that is cheap,
/// visible and safe. A user with a year of `llm` history sets memory up: from then on it
/// learns what they say, and only `llm memory backfill` — which shows its cost first and
/// asks — learns what came before, never letting an old exchange overrule a newer fact.
/// Through the real llm 0.36 and its test-only model plugins (`facts`, `scripted`).
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venvs (make test-env)"))
struct BackfillTests {
    static let backend = "Role: Backend engineer"
    typealias Said = BackfillLab.Said

    // MARK: - First run

    /// 30 exchanges logged before `install-shell`, then one call through the wrapper in an
    /// interactive bash: its update learns that call alone, and not a word of the 30 older
    /// ones reaches the model. install-shell and status say once how many there are and
    /// what learns from them.
    @Test(.enabled(if: Shell.bash.path != nil, "needs bash (.ci/run installs it)"))
    func exchangesLoggedBeforeInstallShellNeverReachTheModelAndTheFirstWrappedCallIsLearnedAlone() async throws {
        try await withShellSandbox(.bash) { original in
            var sb = original
            try BackfillLab.log(BackfillLab.facts(1...30, daysAgo: 200), environment: sb.environment)
            let rules = [BackfillLab.rule(whenUserSaid: "I like fact-0031.", [["op": "add", "section": "Interests", "text": "Likes fact-0031"]])]
            try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: sb.path("rules.json")))
            sb.environment["LLM_MEMORY_MODEL"] = "scripted"
            sb.environment["LLM_SCRIPTED_RULES"] = sb.path("rules.json")
            sb.environment["LLM_SCRIPTED_LOG"] = sb.path("scripted-calls.jsonl")

            let install = try await sb.install()
            let said = install.err.split(separator: "\n").filter { $0.contains("earlier exchange") }
            #expect(said.count == 1, "\(install.err)")
            #expect(said.first?.hasPrefix("llm-memory: 30 earlier exchanges in llm's log are not learned") == true, "\(install.err)")
            #expect(said.first?.contains("`llm memory backfill` learns from them") == true, "\(install.err)")
            let status = try await sb.porcelain(["status"])
            let lines = status.out.split(separator: "\n").filter { $0.hasPrefix("backfill:") }
            #expect(lines == ["backfill:       not started: 30 exchanges from before memory started (llm memory backfill learns from them; it shows the cost first)"],
                    "\(status.out)")

            _ = try await sb.run(sb.step("call", "llm -m echo 'I like fact-0031.'"))
            #expect(sb.result("call").status == 0, "\(sb.result("call"))")
            func learned() -> [String] { likedFacts(inProfile: sb.read(sb.sandbox.memory.profile)) }
            #expect(await eventually(timeout: 60) { learned() == ["fact-0031"] },
                    "learned \(learned()); updates.log:\n\(sb.read(sb.updateLog) ?? "none")")
            #expect(try await sb.waitForUpdatesToFinish())
            #expect(learned() == ["fact-0031"])

            // What the model received: one request, with the new call and nothing older.
            let requests = (sb.read("scripted-calls.jsonl") ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
            }
            #expect(requests.count == 1, "\(requests)")
            let sent = requests.map { ($0["system"] ?? "") + ($0["prompt"] ?? "") }.joined()
            #expect(sent.contains("I like fact-0031."))
            let leaked = (1...30).map(BackfillLab.fact).filter { sent.contains($0) }
            #expect(leaked.isEmpty, "older exchanges reached the model: \(leaked)")
            let after = try await sb.porcelain(["status"])
            #expect(after.out.contains("backfill:       not started: 30 exchanges"), "\(after.out)")
            #expect(after.out.contains("waiting:        0 exchange(s)"), "\(after.out)")
        }
    }

    // MARK: - The estimate, consent, and the backfill itself

    /// A year ago, to `scripted`: "I'm a frontend developer."; then 29 facts to `facts`
    /// over the following months. Memory is set up after them, and last week's "I'm a
    /// backend engineer." (to `scripted`) was learned. The scripted model answers the old
    /// exchange by replacing the role with "Frontend developer".
    private func userWithAYearOfHistory() throws -> BackfillLab {
        let lab = try BackfillLab()
        try lab.setRules([
            BackfillLab.rule(whenUserSaid: "I'm a backend engineer.", [["op": "add", "section": "Personal Information", "text": Self.backend]]),
            BackfillLab.rule(whenUserSaid: "I'm a frontend developer.",
                             [["op": "replace", "section": "Personal Information", "old": Self.backend, "text": "Role: Frontend developer"]]),
        ])
        try lab.log([Said(prompt: "I'm a frontend developer.", model: "scripted", daysAgo: 365)]
            + BackfillLab.facts(1...29, model: "facts", daysAgo: 360))
        try lab.setUpMemory()
        try lab.log([Said(prompt: "I'm a backend engineer.", model: "scripted", daysAgo: 7)])
        let update = try lab.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(lab.profile().contains("- \(Self.backend)\n"), "\(lab.profile())")
        return lab
    }

    /// `--dry-run`: exchanges in range, what the gate passes, and per model the calls,
    /// characters and about how many tokens — the same figures as `mem-backfill estimate
    /// --json` — and nothing is called or written.
    @Test func theDryRunPrintsTheEstimatePerModelAndCallsNoModel() throws {
        let lab = try userWithAYearOfHistory()
        defer { lab.remove() }
        let calls = lab.modelLogs(), files = lab.snapshot()
        let dry = try lab.porcelain(["backfill", "--dry-run"])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.err.isEmpty, "\(dry.err)")
        #expect(lab.modelLogs() == calls, "a model was called")
        #expect(lab.snapshot() == files, "the dry run changed the memory dir")

        let estimate = try run(Repo.tool("mem-backfill"), ["estimate", "--json"], environment: lab.environment)
        let json = try #require(try JSONSerialization.jsonObject(with: estimate.stdout) as? [String: Any], "\(estimate.err)")
        #expect(json["in_range"] as? Int == 30 && json["left"] as? Int == 30)
        #expect(json["to_send"] as? Int == 30 && json["gated_out"] as? Int == 0)
        #expect(json["calls"] as? Int == 2)
        let models = (json["models"] as? [[String: Any]] ?? []).map { ($0["model"] as? String ?? "", $0["exchanges"] as? Int ?? 0, $0["calls"] as? Int ?? 0) }
        #expect(models.map(\.0) == ["scripted", "facts"] && models.map(\.1) == [1, 29] && models.map(\.2) == [1, 1], "\(models)")
        let characters = try #require(json["characters"] as? Int), tokens = try #require(json["tokens"] as? Int)
        #expect(characters > 29 * "I like fact-0001.".count && tokens == (characters + 3) / 4)

        let text = dry.out
        for pattern in [#"exchanges in range +30\b"#, #"to read now +30\b"#, #"left by the gate +0\b"#, #"pass the gate +30\b"#,
                        #"model calls +2 "#, "to send +\(HumanUnits.count(characters)) characters, about \(HumanUnits.count(tokens)) tokens",
                        #"\n  scripted +1 +1 +[0-9,]+ +[0-9,]+\n"#, #"\n  facts +29 +1 +[0-9,]+ +[0-9,]+\n"#] {
            #expect(text.range(of: pattern, options: .regularExpression) != nil, "\(pattern) in:\n\(text)")
        }
        #expect(text.contains("each exchange goes only to the model it was held with"), "\(text)")
    }

    /// Without a terminal, `backfill` prints the estimate, refuses with one line naming
    /// --yes (exit 1) and changes nothing; `--yes` learns all 30 — each exchange from its
    /// own model, the old one told it is old — and the role learned last week stays,
    /// though the model proposed replacing it.
    @Test func withoutATerminalItRefusesAndWithYesItLearnsAllThirtyAndKeepsTheNewerFact() throws {
        let lab = try userWithAYearOfHistory()
        defer { lab.remove() }
        let calls = lab.modelLogs(), files = lab.snapshot()
        let refused = try lab.porcelain(["backfill"])
        #expect(refused.status == 1)
        let ours = refused.err.split(separator: "\n").filter { $0.hasPrefix("llm-memory:") }
        #expect(ours.count == 1 && ours.first?.contains("--yes") == true, "\(refused.err)")
        #expect(refused.out.contains("exchanges in range"), "the estimate comes first: \(refused.out)")
        #expect(lab.modelLogs() == calls && lab.snapshot() == files, "a refused backfill changed something")

        let yes = try lab.porcelain(["backfill", "--yes"])
        #expect(yes.status == 0, "\(yes.err)")
        // (Estimated at two calls: the reply to the 29 facts holds more ops than one reply
        // may, so the rest are carried to one more call — as the estimate warns.)
        #expect(yes.err.range(of: #"backfill done: 30 of 30 exchanges read, [0-9]+ model calls, 29 facts added"#,
                              options: .regularExpression) != nil, "\(yes.err)")
        let learned = lab.learned()
        #expect(learned.sorted() == (1...29).map(BackfillLab.fact), "\(learned)")
        #expect(Set(learned).count == learned.count, "a fact learned twice: \(learned)")
        let profile = lab.profile()
        #expect(profile.contains("- \(Self.backend)\n") && !profile.contains("Frontend"), "\(profile)")
        let skipped = lab.journal().filter { $0["action"] as? String == "backfill" }
            .flatMap { $0["skipped"] as? [[String: Any]] ?? [] }.compactMap { $0["reason"] as? String }
        #expect(skipped.count == 1 && skipped.first?.hasPrefix("the profile has newer information") == true, "\(skipped)")

        // Each exchange went only to its own model, and the request said it was old.
        let backfillRequests = lab.scriptedUpdates().filter { $0.system.contains("This batch is a backfill") }
        #expect(backfillRequests.count == 1)
        #expect(backfillRequests.first?.prompt.contains("I'm a frontend developer.") == true)
        #expect(backfillRequests.first?.prompt.contains("fact-") == false, "a facts exchange went to scripted")
        #expect(Set(lab.factsCalls().flatMap { $0 }) == Set((1...29).map(BackfillLab.fact)), "\(lab.factsCalls())")
        // Every exchange from before memory started is in exactly one backfill change.
        let history = Array(try lab.exchangeIDs().prefix(30))
        #expect(lab.backfilledExchanges().flatMap { $0 }.sorted() == history.sorted())
        #expect(try lab.statusLine("backfill") == "backfill:       done: all 30 exchanges from before memory started were read")
        // Nothing left: running it again reads nothing and calls nothing.
        let logs = lab.modelLogs()
        let again = try lab.porcelain(["backfill", "--yes"])
        #expect(again.status == 0 && again.err.contains("nothing to backfill"), "\(again.err)")
        #expect(lab.modelLogs() == logs)
    }

    // MARK: - The present wins

    /// A bullet written by hand (here by `llm memory load`) is newer than anything in the
    /// history: the model's replace and remove from a year-old exchange are skipped by
    /// mem-merge and journalled as such; what the profile lacks is still added.
    @Test func anOldExchangeNeverReplacesOrRemovesWhatWasWrittenByHandEvenWhenTheModelProposesIt() throws {
        let lab = try BackfillLab()
        defer { lab.remove() }
        // One request holds both exchanges ([1] and [2]).
        try lab.setRules([
            BackfillLab.rule(whenUserSaid: "I'm a frontend developer in Porto.", [
                ["op": "replace", "section": "Personal Information", "old": Self.backend, "text": "Role: Frontend developer"],
                ["op": "remove", "section": "Personal Information", "old": "Lives in Lisbon"],
                ["op": "add", "section": "Interests", "text": "Plays the cello", "ex": 2],
            ]),
        ])
        try lab.log([Said(prompt: "I'm a frontend developer in Porto.", model: "scripted", daysAgo: 365),
                     Said(prompt: "I play the cello.", model: "scripted", daysAgo: 300)])
        let mine = lab.work + "/mine.md"
        try Data("# User profile\n\n## Personal Information\n\n- \(Self.backend)\n- Lives in Lisbon\n\n## Interests\n".utf8)
            .write(to: URL(fileURLWithPath: mine))
        #expect(try lab.porcelain(["load", mine]).status == 0)  // also sets memory up

        let backfill = try lab.porcelain(["backfill", "--yes"])
        #expect(backfill.status == 0, "\(backfill.err)")
        let profile = lab.profile()
        #expect(profile.contains("- \(Self.backend)\n- Lives in Lisbon\n"), "\(profile)")
        #expect(profile.contains("- Plays the cello\n") && !profile.contains("Frontend"), "\(profile)")
        let skipped = lab.journal().flatMap { $0["skipped"] as? [[String: Any]] ?? [] }
        #expect(skipped.map { ($0["op"] as? [String: Any])?["op"] as? String } == ["replace", "remove"], "\(skipped)")
        for reason in skipped.compactMap({ $0["reason"] as? String }) {
            #expect(reason.contains("the profile has newer information") && reason.contains("a change by hand (load)"), "\(reason)")
        }
        // Both requests told the model the exchanges are older than the profile.
        let requests = lab.scriptedUpdates()
        #expect(!requests.isEmpty && requests.allSatisfy { $0.system.contains("OLDER than everything the profile says") })
    }
}
