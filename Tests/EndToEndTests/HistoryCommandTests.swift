import Foundation
import Testing

/// `llm-memory log`, `why`, `undo`, `forget` and `show --why` through the porcelain, the
/// real llm (the user's prompts go to `echo`) and updates by the test-only `scripted` model.
/// Each lab runs one `update` before anything is logged, so the tests hold when the first
/// run fixes its starting point at the newest exchange.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct HistoryCommandTests {
    @Test func logListsBothUpdatesWithTheUsersWordsAndItsJSONParses() throws {
        let lab = try HistoryPorcelainLab()
        defer { lab.remove() }
        try lab.learn("I've been bouldering twice a week", adds: "Likes bouldering", in: "Interests")
        try lab.learn("I live in Lisbon these days", adds: "Lives in Lisbon", in: "Personal Information")

        let log = try lab.porcelain(["log"])
        #expect(log.status == 0, "\(log.err)")
        let lisbon = try #require(log.out.range(of: "+ Personal Information: Lives in Lisbon"), "\(log.out)")
        let bouldering = try #require(log.out.range(of: "+ Interests: Likes bouldering"), "\(log.out)")
        #expect(lisbon.lowerBound < bouldering.lowerBound, "newest first")
        #expect(log.out.contains(#""I live in Lisbon these days""#))
        #expect(log.out.contains(#""I've been bouldering twice a week""#))
        #expect(!log.out.contains("\u{1B}["), "no colour when not a terminal")

        let json = try lab.porcelain(["log", "--json", "-n", "2"])
        #expect(json.status == 0, "\(json.err)")
        let objects = try json.out.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 2)
        #expect(objects.map { $0["action"] as? String } == ["update", "update"])
        let exchange = try #require((objects[1]["exchanges"] as? [[String: Any]])?.first)
        #expect(exchange["words"] as? String == "I've been bouldering twice a week")
        #expect(exchange["in_logs"] as? Bool == true)
        #expect(exchange["model"] as? String == "echo")
        #expect(((objects[0]["id"] as? Int) ?? 0) == ((objects[1]["id"] as? Int) ?? 0) + 1)
    }

    @Test func whyQuotesTheUsersWordsFromTheLogDatabase() throws {
        let lab = try HistoryPorcelainLab()
        defer { lab.remove() }
        try lab.learn("I've been bouldering twice a week", adds: "Likes bouldering", in: "Interests")
        let why = try lab.porcelain(["why", "Likes bouldering"])
        #expect(why.status == 0, "\(why.err)")
        #expect(why.out.contains(#""I've been bouldering twice a week""#), "\(why.out)")
        #expect(why.out.contains("added by update (scripted)"))
        #expect(why.out.contains("echo") && why.out.contains("conversation "))

        let none = try lab.porcelain(["why", "Plays the cello"])
        #expect(none.status == 1)
        #expect(none.err.contains("no bullet matches") && none.err.contains("llm memory show"))
        #expect(none.err.split(separator: "\n").count == 1)
    }

    @Test func undoRemovesTheSecondUpdatesBulletAndTheNextUpdateDoesNotBringItBack() throws {
        let lab = try HistoryPorcelainLab()
        defer { lab.remove() }
        try lab.learn("I've been bouldering twice a week", adds: "Likes bouldering", in: "Interests")
        try lab.learn("I live in Lisbon these days", adds: "Lives in Lisbon", in: "Personal Information")
        let lisbonExchange = try #require(lab.exchangeIDs().last)

        let undo = try lab.porcelain(["undo"])
        #expect(undo.status == 0, "\(undo.err)")
        #expect(!lab.profile().contains("Lives in Lisbon"))
        #expect(lab.profile().contains("Likes bouldering"))
        #expect(lab.read(lab.memoryDir + "/fragment.md")?.contains("Lisbon") == false, "the fragment is rendered again")
        #expect(lab.read(lab.memoryDir + "/undone")?.contains(lisbonExchange) == true)
        let newest = try #require(try lab.logJSON().first)
        #expect(newest["action"] as? String == "undo")

        // The next update learns what is new and never sees the undone exchange again.
        let callsBefore = lab.modelPrompts().count
        try lab.learn("I enjoy cooking on weekends", adds: "Likes cooking", in: "Interests")
        #expect(lab.profile().contains("Likes cooking"))
        #expect(!lab.profile().contains("Lives in Lisbon"))
        #expect(!lab.modelPrompts().dropFirst(callsBefore).contains { $0.contains("Lisbon these days") })

        let missing = try lab.porcelain(["undo", "99"])
        #expect(missing.status == 65 && missing.err.contains("no change 99"), "\(missing.err)")
    }

    @Test func aForgottenBulletIsRemovedAndNotLearnedAgainWhenTheModelProposesItAgain() throws {
        let lab = try HistoryPorcelainLab()
        defer { lab.remove() }
        try lab.learn("I've been bouldering twice a week", adds: "Likes bouldering", in: "Interests")
        let forget = try lab.porcelain(["forget", "Likes bouldering"])
        #expect(forget.status == 0, "\(forget.err)")
        #expect(!lab.profile().contains("Likes bouldering"))
        #expect(try lab.porcelain(["forget", "--list"]).out == "Likes bouldering\n")

        let calls = lab.modelPrompts().count
        let update = try lab.learn("I love bouldering", adds: "Likes bouldering", in: "Interests")
        #expect(lab.modelPrompts().count == calls + 1, "the model was asked and proposed it again")
        #expect(!lab.profile().contains("bouldering"))
        #expect(update.err.contains("forgotten"), "said on stderr: \(update.err)")

        #expect(try lab.porcelain(["forget", "--undo", "Likes bouldering"]).status == 0)
        #expect(try lab.porcelain(["forget", "--list"]).out == "")
    }

    @Test func showWhyAnnotatesEveryBulletIncludingOnesWrittenByHand() throws {
        let lab = try HistoryPorcelainLab()
        defer { lab.remove() }
        try lab.learn("I've been bouldering twice a week", adds: "Likes bouldering", in: "Interests")
        try Data((lab.profile() + "- Name: Ada, written by hand\n").utf8).write(to: URL(fileURLWithPath: lab.memoryDir + "/profile.md"))

        let show = try lab.porcelain(["show", "--why"])
        #expect(show.status == 0, "\(show.err)")
        let bullets = show.out.split(separator: "\n").filter { $0.contains("│ - ") }
        #expect(bullets.count == 2, "\(show.out)")
        #expect(bullets.allSatisfy { !$0.hasPrefix(" ") }, "every bullet annotated: \(show.out)")
        #expect(bullets.contains { $0.contains("update (scripted)") && $0.hasSuffix("- Likes bouldering") })
        #expect(bullets.contains { $0.contains("hand edit") && $0.hasSuffix("- Name: Ada, written by hand") })

        // The next update records the hand edit, and never as the model's.
        #expect(try lab.porcelain(["update"]).status == 0)
        let json = try lab.porcelain(["show", "--why", "--json"])
        let lines = try json.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let ada = try #require(lines.compactMap { $0?["bullet"] as? [String: Any] }.first { ($0["text"] as? String)?.hasPrefix("Name: Ada") == true })
        #expect(ada["action"] as? String == "hand-edit")
        #expect(ada["recorded"] as? Bool == true)
        #expect(ada["model"] is NSNull)
    }
}

extension HistoryCommandTests {
    /// The present wins, through mem-propose and mem-merge: the delta carries each
    /// exchange's time (mem-propose knows it), the journal keeps it, and mem-merge holds
    /// back an op from an exchange older than what the bullet was learned from.
    @Test func anOldExchangeProposedLaterDoesNotReplaceTheNewerFact() throws {
        let lab = try HistoryPorcelainLab()
        defer { lab.remove() }
        let profile = lab.memoryDir + "/profile.md"
        func exchange(_ id: String, _ datetime: String, _ prompt: String) -> Data {
            let record: [String: Any] = ["id": id, "conversation": "c-" + id, "model": "echo", "datetime": datetime, "prompt": prompt,
                                         "system": NSNull(), "fragments": [], "response": "ok", "cursor": "r0.t0"]
            return try! JSONSerialization.data(withJSONObject: record) + Data("\n".utf8)
        }
        func rule(_ match: String, _ op: [String: Any]) throws {
            let reply = try JSONSerialization.data(withJSONObject: ["ops": [op.merging(["ex": 1]) { $1 }]])
            try JSONSerialization.data(withJSONObject: [["match": match, "reply": String(decoding: reply, as: UTF8.self)]])
                .write(to: URL(fileURLWithPath: lab.rulesPath))
        }
        func proposeAndMerge(_ exchanges: Data) throws -> RunResult {
            let delta = try run(Repo.tool("mem-propose"), ["--profile", profile], stdin: exchanges, environment: lab.environment)
            #expect(delta.status == 0, "\(delta.err)")
            return try run(Repo.tool("mem-merge"), ["--profile", profile, "--in-place"], stdin: delta.stdout, environment: lab.environment)
        }
        try rule("backend engineer", ["op": "add", "section": "Personal Information", "text": "Role: Backend engineer"])
        #expect(try proposeAndMerge(exchange("last-week", "2026-11-18T09:00:00.000000+00:00", "I'm a backend engineer")).status == 0)
        try rule("frontend developer", ["op": "replace", "section": "Personal Information", "old": "Role: Backend engineer",
                                        "text": "Role: Frontend developer"])
        let old = try proposeAndMerge(exchange("a-year-ago", "2025-11-25T09:00:00.000000+00:00", "I'm a frontend developer"))
        #expect(old.status == 0, "\(old.err)")
        #expect(old.err.contains("the profile has newer information"), "\(old.err)")
        #expect(lab.profile().contains("- Role: Backend engineer"))
        #expect(!lab.profile().contains("Frontend"))
    }
}

/// A sandbox with the porcelain beside this build's tools, llm's `echo` for what the user
/// types and the `scripted` model for updates, answering by rules on the user's words.
struct HistoryPorcelainLab {
    let sandbox: Sandbox
    let binDir: String
    private var rules: [[String: Any]] = []
    var memoryDir: String { sandbox.memoryDir }
    var rulesPath: String { sandbox.root.appendingPathComponent("rules.json").path }
    var modelLog: String { sandbox.root.appendingPathComponent("model-calls.jsonl").path }
    var environment: [String: String] { sandbox.scriptedModelEnvironment(binDir: binDir, rules: rulesPath, log: modelLog) }

    init() throws {
        sandbox = try Sandbox()
        binDir = try sandbox.makeBin()
        try JSONSerialization.data(withJSONObject: []).write(to: URL(fileURLWithPath: rulesPath))
        let first = try porcelain(["update"])
        if first.status != 0 { throw TestError("the first update failed: \(first.err)") }
    }

    func remove() { sandbox.remove() }

    func porcelain(_ args: [String]) throws -> RunResult {
        try run(binDir + "/llm-memory", args, environment: environment)
    }

    /// The user says `words` (to echo); the next update's model proposes adding `text`.
    @discardableResult
    func learn(_ words: String, adds text: String, in section: String) throws -> RunResult {
        var rules = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: rulesPath)))) as? [[String: Any]] ?? []
        let reply = try JSONSerialization.data(withJSONObject: ["ops": [["op": "add", "section": section, "text": text, "ex": 1]]])
        rules.insert(["match": words, "reply": String(decoding: reply, as: UTF8.self)], at: 0)
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: rulesPath))
        let said = try run(Repo.llm, ["-m", "echo", words], environment: environment)
        if said.status != 0 { throw TestError("llm failed: \(said.err)") }
        let update = try porcelain(["update"])
        if update.status != 0 { throw TestError("the update failed: \(update.err)") }
        return update
    }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func profile() -> String { read(memoryDir + "/profile.md") ?? "" }

    /// What each update call sent the model, in order.
    func modelPrompts() -> [String] {
        (read(modelLog) ?? "").split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["prompt"] as? String
        }
    }

    /// The ids of the exchanges llm logged, oldest first.
    func exchangeIDs() throws -> [String] {
        try run(Repo.tool("mem-extract"), [], environment: environment).out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
        }
    }

    func logJSON() throws -> [[String: Any]] {
        try porcelain(["log", "--json"]).out.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
