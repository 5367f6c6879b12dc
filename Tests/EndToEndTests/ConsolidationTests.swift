import Foundation
import Testing
import TestKit

/// Keeping the profile within budget at the source (issue 15 §4): when the profile has
/// outgrown the fragment's budget, mem-propose asks the model to consolidate it, and the
/// ops it answers with are applied like any other — through the real llm and the
/// test-only `scripted` model.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct ConsolidationTests {
    private static let exchange = ProposeCommandTests.exchangeLine(id: "01JX0000000000000000000001",
                                                                    prompt: "I'm a Rust developer", cursor: "r0.t1") + "\n"

    private func profile(_ count: Int) -> String {
        "# User profile\n" + ["Personal Information", "Current Projects", "Interests", "Preferences"].map { name in
            "\n## \(name)\n" + (1...count).map { "- \(name) fact \($0) of the user\n" }.joined()
        }.joined()
    }

    @Test func anOverBudgetProfileIsConsolidatedByOrdinaryOpsAndOnlyThen() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        let profilePath = sandbox.memory.profile
        try Data(profile(60).utf8).write(to: URL(fileURLWithPath: profilePath))
        // Written by hand before the exchange (2025-06-01), or "the present wins" would keep
        // mem-merge from removing its bullets on that exchange's word.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_577_836_800)], ofItemAtPath: profilePath)
        let reply = #"{"ops": [{"op": "add", "section": "Personal Information", "text": "Role: Rust developer", "ex": 1},"#
            + #" {"op": "remove", "section": "Interests", "old": "Interests fact 1 of the user"},"#
            + #" {"op": "remove", "section": "Preferences", "old": "Preferences fact 1 of the user"}]}"#
        let rules = sandbox.root.appendingPathComponent("rules.json")
        try JSONSerialization.data(withJSONObject: [["match": "outgrown its budget", "reply": reply],
                                                    ["match": "", "reply": #"{"ops": []}"#]]).write(to: rules)
        let log = sandbox.root.appendingPathComponent("calls.jsonl")
        var env = sandbox.environment
        env["LLM_SCRIPTED_RULES"] = rules.path
        env["LLM_SCRIPTED_LOG"] = log.path
        env["LLM_MEMORY_MODEL"] = "scripted"

        let proposed = try run(Repo.tool("mem-propose"), [], stdin: Data(Self.exchange.utf8), environment: env)
        #expect(proposed.status == 0, "\(proposed.err)")
        #expect(proposed.err.contains("the profile has outgrown the fragment's budget ("), "\(proposed.err)")
        let call = try #require(String(decoding: try Data(contentsOf: log), as: UTF8.self).split(separator: "\n").first)
        let sent = try #require(try JSONSerialization.jsonObject(with: Data(call.utf8)) as? [String: String])
        #expect(sent["prompt"]?.contains("The profile has outgrown its budget: only ") == true)
        let merged = try run(Repo.tool("mem-merge"), ["--in-place"], stdin: proposed.stdout, environment: env)
        #expect(merged.status == 0, "\(merged.err)")
        let after = try String(contentsOfFile: profilePath, encoding: .utf8)
        #expect(after.contains("- Role: Rust developer\n"))
        #expect(!after.contains("- Interests fact 1 of the user\n"))
        #expect(!after.contains("- Preferences fact 1 of the user\n"))
        #expect(after.contains("- Interests fact 2 of the user\n"))

        // Within budget, nothing is asked.
        try? FileManager.default.removeItem(at: log)
        env["LLM_MEMORY_MAX_CHARS"] = "100000"
        let roomy = try run(Repo.tool("mem-propose"), [], stdin: Data(Self.exchange.utf8), environment: env)
        #expect(roomy.status == 0, "\(roomy.err)")
        #expect(!roomy.err.contains("outgrown"))
        let roomyCall = try #require(String(decoding: try Data(contentsOf: log), as: UTF8.self).split(separator: "\n").first)
        #expect(!roomyCall.contains("outgrown its budget"))
    }
}
