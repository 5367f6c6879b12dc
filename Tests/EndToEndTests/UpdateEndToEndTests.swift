import Foundation
import Testing
import TestKit

/// The whole pipeline through the real `llm`: a prompt is logged, `llm-memory update`
/// turns it into a profile fact, renders the fragment and moves the cursor.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct UpdateEndToEndTests {
    let porcelain = Repo.root.appendingPathComponent("bin/llm-memory").path

    /// A sandbox whose `scripted` model answers update prompts with `delta` and logs
    /// every prompt it receives.
    private func scriptedSandbox(delta: String) throws -> (Sandbox, [String: String], URL) {
        let sandbox = try Sandbox()
        let rules = sandbox.root.appendingPathComponent("rules.json")
        let rulesJSON = try JSONSerialization.data(withJSONObject: [
            ["match": "Personal Information", "reply": delta],
        ])
        try rulesJSON.write(to: rules)
        let log = sandbox.root.appendingPathComponent("model-calls.jsonl")
        var env = sandbox.environment
        env["LLM_SCRIPTED_RULES"] = rules.path
        env["LLM_SCRIPTED_LOG"] = log.path
        return (sandbox, env, log)
    }

    private func file(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    private func modelCalls(_ log: URL) -> Int {
        (file(log.path) ?? "").split(separator: "\n").count
    }

    @Test func aPromptBecomesAProfileFactAndASecondUpdateChangesNothing() throws {
        let delta = #"{"ops":[{"op":"add","section":"Personal Information","text":"Role: Rust developer","ex":1}]}"#
        let (sandbox, env, log) = try scriptedSandbox(delta: delta)
        defer { sandbox.remove() }
        try setUpMemory(environment: env)

        let prompt = try run(Repo.llm, ["-m", "scripted", "I'm a Rust developer"], environment: env)
        #expect(prompt.status == 0, "\(prompt.err)")
        #expect(modelCalls(log) == 1)

        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        #expect(modelCalls(log) == 2)

        let profile = try #require(file(sandbox.memory.profile))
        #expect(profile.contains("- Role: Rust developer"))
        let fragment = try #require(file(sandbox.memory.fragment))
        #expect(fragment.contains("Role: Rust developer"))

        let extracted = try run(Repo.tool("mem-extract"), [], environment: env)
        let lastCursor = try #require(extracted.out.split(separator: "\n").last.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }?["cursor"] as? String)
        #expect(file(sandbox.memory.cursor)?.trimmingCharacters(in: .whitespacesAndNewlines) == lastCursor)

        // The model only ever saw the exchange, not a logged copy of its own call.
        let again = try run(porcelain, ["update"], environment: env)
        #expect(again.status == 0, "\(again.err)")
        #expect(modelCalls(log) == 2)
        #expect(file(sandbox.memory.profile) == profile)
        #expect(try run(Repo.tool("mem-extract"), [], environment: env).out == extracted.out)
    }

    @Test func theEchoModelsReplyIsNotADeltaSoTheProfileStaysAsItWas() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = sandbox.environment
        let origin = try setUpMemory(environment: env)
        let original = "# User profile\n\n## Personal Information\n\n- Name: Ada\n"
        try Data(original.utf8).write(to: URL(fileURLWithPath: sandbox.memory.profile))

        let prompt = try run(Repo.llm, ["-m", "echo", "I like tea"], environment: env)
        #expect(prompt.status == 0, "\(prompt.err)")
        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        #expect(update.err.contains("mem-propose"))
        #expect(file(sandbox.memory.profile) == original)
        // The batch was handled: the cursor moved, so it is not proposed again.
        #expect(cursorToken(sandbox.memoryDir) != origin)
    }

    @Test func aFailingModelStopsTheRunAndLeavesTheCursorWhereItWas() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let rules = sandbox.root.appendingPathComponent("rules.json")
        try Data(#"[{"match": "Personal Information", "error": "rate limited, try later"}]"#.utf8).write(to: rules)
        var env = sandbox.environment
        env["LLM_SCRIPTED_RULES"] = rules.path
        let origin = try setUpMemory(environment: env)

        #expect(try run(Repo.llm, ["-m", "scripted", "I'm a Go developer"], environment: env).status == 0)
        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 75)
        #expect(update.err.contains("rate limited"))
        #expect(cursorToken(sandbox.memoryDir) == origin, "the cursor did not move")
        #expect(file(sandbox.memory.profile) == nil)
    }

    // MARK: - No fact lost for lack of room (issue 10 §2)

    /// Logs "I like fact-0001." … through llm's Python API (the echo model), as a user would.
    private func logFacts(_ count: Int, env: [String: String], db: String) throws {
        let writer = try run(Repo.venvBin + "/python3", [Repo.root.appendingPathComponent("Tests/Support/write_fact_exchanges.py").path, db, "1", "\(count)"],
                             environment: env)
        #expect(writer.status == 0, "\(writer.err)")
    }

    private func backlogOf45(cut: Int?) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let rules = sandbox.root.appendingPathComponent("rules.json")
        try JSONSerialization.data(withJSONObject: CarryOverTests.rules(last: 45, cut: cut)).write(to: rules)
        let log = sandbox.root.appendingPathComponent("model-calls.jsonl")
        var env = sandbox.environment
        env["LLM_MEMORY_MODEL"] = "scripted"
        env["LLM_SCRIPTED_RULES"] = rules.path
        env["LLM_SCRIPTED_LOG"] = log.path
        env["LLM_MEMORY_BUDGET"] = "100000"  // one call could take all 45: the op limit is what cuts
        try setUpMemory(environment: env)
        try logFacts(45, env: env, db: sandbox.logsDB)

        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        let facts = likedFacts(inProfile: file(sandbox.memory.profile))
        #expect(facts == (1...45).map(CarryOverTests.fact), "\(facts.count) facts: \(update.err)")
        #expect(update.err.contains("carried over"), "\(update.err)")
        print("update: 45 one-fact exchanges, replies \(cut.map { "cut after \($0) ops" } ?? "of up to 45 ops, 20 kept") → \(facts.count) facts in \(modelCalls(log)) model calls")
    }

    @Test func fortyFiveOneFactExchangesInOneBacklogAllReachTheProfile() throws {
        try backlogOf45(cut: nil)
    }

    @Test func fortyFiveOneFactExchangesAllReachTheProfileWhenEveryReplyIsCutOffMidOp() throws {
        try backlogOf45(cut: 7)
    }

    // MARK: - Where a conversation goes (issue 15 §1)

    @Test func exchangesOfTwoModelsInOneBacklogEachReachOnlyTheirOwnModel() throws {
        let (sandbox, base, scriptedLog) = try scriptedSandbox(delta: "")
        defer { sandbox.remove() }
        var env = base
        let rules = [
            ["match": "<user>\nI'm a Rust developer", "reply": #"{"ops": [{"op": "add", "section": "Personal Information", "text": "Role: Rust developer", "ex": 1}]}"#],
            ["match": "<user>\nI prefer short answers", "reply": #"{"ops": [{"op": "add", "section": "Preferences", "text": "Prefers short answers", "ex": 1}]}"#],
        ]
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: env["LLM_SCRIPTED_RULES"]!))
        let factsLog = sandbox.root.appendingPathComponent("facts-calls.jsonl").path
        env["FACTS_MODEL_LOG"] = factsLog
        try setUpMemory(environment: env)
        for (model, prompt) in [("scripted", "I'm a Rust developer."), ("facts", "I like fact-0001."),
                                ("scripted", "I prefer short answers."), ("facts", "I like fact-0002.")] {
            let logged = try run(Repo.llm, ["-m", model, prompt], environment: env)
            #expect(logged.status == 0, "\(logged.err)")
        }

        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        let profile = file(sandbox.memory.profile) ?? ""
        for bullet in ["- Role: Rust developer", "- Prefers short answers", "- Likes fact-0001", "- Likes fact-0002"] {
            #expect(profile.contains(bullet), "\(profile)")
        }
        // What each model received: scripted only its own exchanges, facts only its own.
        let scriptedUpdates = (file(scriptedLog.path) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }.filter { $0["system"]?.contains("durable facts") == true }.compactMap { $0["prompt"] }
        #expect(scriptedUpdates.count == 2)
        // (The profile it is shown may list facts learned from the other model's exchanges.)
        #expect(scriptedUpdates.allSatisfy { !$0.contains("I like fact-") }, "\(scriptedUpdates)")
        #expect(scriptedUpdates.first?.contains("I'm a Rust developer.") == true && scriptedUpdates.last?.contains("I prefer short answers.") == true)
        let factsUpdates = (file(factsLog) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["kind"] as? String == "propose" }
        #expect(factsUpdates.map { $0["facts"] as? [String] ?? [] } == [["fact-0001"], ["fact-0002"]])
    }

    @Test func anExchangeWhoseModelIsGoneReachesNoModelAndTheUpdateFails69UntilItIsBack() throws {
        let (sandbox, env, log) = try scriptedSandbox(delta: #"{"ops":[{"op":"add","section":"Personal Information","text":"Role: Go developer","ex":1}]}"#)
        defer { sandbox.remove() }
        let origin = try setUpMemory(environment: env)
        #expect(try run(Repo.llm, ["-m", "scripted", "I'm a Go developer"], environment: env).status == 0)
        #expect(try run(Repo.llm, ["models", "default", "echo"], environment: env).status == 0)

        // The plugin that provided the model is gone (only llm-echo loads).
        var gone = env
        gone["LLM_LOAD_PLUGINS"] = "llm-echo"
        let update = try run(porcelain, ["update"], environment: gone)
        #expect(update.status == 69, "\(update.err)")
        #expect(update.out.isEmpty)
        #expect(update.err.contains("model 'scripted' cannot be used (Error: 'Unknown model: scripted')"), "\(update.err)")
        #expect(update.err.contains("choose a memory model with `llm memory model ID`"), "\(update.err)")
        #expect(modelCalls(log) == 1, "only the user's own call reached scripted")
        #expect(cursorToken(sandbox.memoryDir) == origin, "the exchange waits")
        #expect(file(sandbox.memory.profile) == nil)
        let status = try run(porcelain, ["status"], environment: gone)
        #expect(status.out.contains("model 'scripted' cannot be used"), "\(status.out)")

        // Back: the exchange that waited is learned.
        let again = try run(porcelain, ["update"], environment: env)
        #expect(again.status == 0, "\(again.err)")
        #expect(file(sandbox.memory.profile)?.contains("- Role: Go developer") == true)
    }

    @Test func llmMemoryModelStoresAChoiceThatStatusShowsAndUpdatesUseUntilItIsUnset() throws {
        let (sandbox, env, log) = try scriptedSandbox(delta: #"{"ops":[{"op":"add","section":"Interests","text":"Likes tea","ex":1}]}"#)
        defer { sandbox.remove() }
        try setUpMemory(environment: env)
        let none = try run(porcelain, ["status"], environment: env)
        #expect(none.out.contains("memory model:   none: each exchange goes back to its own model"), "\(none.out)")

        let unknown = try run(porcelain, ["model", "nosuchmodel"], environment: env)
        #expect(unknown.status == 69)
        #expect(unknown.err.contains("llm has no model 'nosuchmodel'"), "\(unknown.err)")
        #expect(file(sandbox.memory.model) == nil)
        #expect(try run(porcelain, ["model", "two words"], environment: env).status == 64)

        let chosen = try run(porcelain, ["model", "scripted"], environment: env)
        #expect(chosen.status == 0, "\(chosen.err)")
        #expect(file(sandbox.memory.model) == "scripted\n")
        let mode = try FileManager.default.attributesOfItem(atPath: sandbox.memory.model)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try run(porcelain, ["model"], environment: env).out == "scripted\n")
        #expect(try run(porcelain, ["status"], environment: env).out.contains("memory model:   scripted"))

        // A conversation held with echo now goes to the chosen model.
        #expect(try run(Repo.llm, ["-m", "echo", "I like tea"], environment: env).status == 0)
        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        #expect(modelCalls(log) == 1)
        #expect(file(sandbox.memory.profile)?.contains("- Likes tea") == true)

        #expect(try run(porcelain, ["model", "--unset"], environment: env).status == 0)
        #expect(file(sandbox.memory.model) == nil)
        #expect(try run(porcelain, ["status"], environment: env).out.contains("memory model:   none"))
    }

    // MARK: - An update is not a loss (issue 10 §1)

    @Test func aRoleChangeReplacingEveryBulletOfATwoBulletProfileIsApplied() throws {
        let (sandbox, env, _) = try scriptedSandbox(delta: GuardScenarios.roleChangeReply)
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        try Data(GuardScenarios.twoBullets.utf8).write(to: URL(fileURLWithPath: sandbox.memory.profile))
        try setUpMemory(environment: env)
        #expect(try run(Repo.llm, ["-m", "scripted", GuardScenarios.roleChange], environment: env).status == 0)

        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        let profile = file(sandbox.memory.profile) ?? ""
        #expect(profile.contains("- Role: Backend engineer at a fintech startup in Berlin\n- Writes Rust full time\n"), "\(profile)\n\(update.err)")
        #expect(!profile.contains("Frontend") && !profile.contains("JavaScript"))
    }

    @Test func aReplyRemovingAllFourBulletsOfAProfileIsRefusedAndTheProfileIsUnchanged() throws {
        let (sandbox, env, _) = try scriptedSandbox(delta: GuardScenarios.removeAllFour)
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        try Data(GuardScenarios.fourBullets.utf8).write(to: URL(fileURLWithPath: sandbox.memory.profile))
        let origin = try setUpMemory(environment: env)
        #expect(try run(Repo.llm, ["-m", "scripted", "Forget everything you know about me."], environment: env).status == 0)

        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        #expect(update.err.contains("refused every op of this reply: it would take away 4 of the profile's 4 bullets (4 removed)"), "\(update.err)")
        #expect(file(sandbox.memory.profile) == GuardScenarios.fourBullets)
        #expect(cursorToken(sandbox.memoryDir) != origin, "the exchange was read")
    }
}
