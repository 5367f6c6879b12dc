import Foundation
import Testing

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

        let prompt = try run(Repo.llm, ["-m", "scripted", "I'm a Rust developer"], environment: env)
        #expect(prompt.status == 0, "\(prompt.err)")
        #expect(modelCalls(log) == 1)

        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        #expect(modelCalls(log) == 2)

        let profile = try #require(file(sandbox.memoryDir + "/profile.md"))
        #expect(profile.contains("- Role: Rust developer"))
        let fragment = try #require(file(sandbox.memoryDir + "/fragment.md"))
        #expect(fragment.contains("Role: Rust developer"))

        let extracted = try run(Repo.tool("mem-extract"), [], environment: env)
        let lastCursor = try #require(extracted.out.split(separator: "\n").last.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }?["cursor"] as? String)
        #expect(file(sandbox.memoryDir + "/cursor")?.trimmingCharacters(in: .whitespacesAndNewlines) == lastCursor)

        // The model only ever saw the exchange, not a logged copy of its own call.
        let again = try run(porcelain, ["update"], environment: env)
        #expect(again.status == 0, "\(again.err)")
        #expect(modelCalls(log) == 2)
        #expect(file(sandbox.memoryDir + "/profile.md") == profile)
        #expect(try run(Repo.tool("mem-extract"), [], environment: env).out == extracted.out)
    }

    @Test func theEchoModelsReplyIsNotADeltaSoTheProfileStaysAsItWas() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = sandbox.environment
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        let original = "# User profile\n\n## Personal Information\n\n- Name: Ada\n"
        try Data(original.utf8).write(to: URL(fileURLWithPath: sandbox.memoryDir + "/profile.md"))

        let prompt = try run(Repo.llm, ["-m", "echo", "I like tea"], environment: env)
        #expect(prompt.status == 0, "\(prompt.err)")
        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        #expect(update.err.contains("mem-propose"))
        #expect(file(sandbox.memoryDir + "/profile.md") == original)
        // The batch was handled: the cursor moved, so it is not proposed again.
        #expect(file(sandbox.memoryDir + "/cursor") != nil)
    }

    @Test func aFailingModelStopsTheRunAndLeavesTheCursorWhereItWas() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let rules = sandbox.root.appendingPathComponent("rules.json")
        try Data(#"[{"match": "Personal Information", "error": "rate limited, try later"}]"#.utf8).write(to: rules)
        var env = sandbox.environment
        env["LLM_SCRIPTED_RULES"] = rules.path

        #expect(try run(Repo.llm, ["-m", "scripted", "I'm a Go developer"], environment: env).status == 0)
        let update = try run(porcelain, ["update"], environment: env)
        #expect(update.status == 75)
        #expect(update.err.contains("rate limited"))
        #expect(file(sandbox.memoryDir + "/cursor") == nil)
        #expect(file(sandbox.memoryDir + "/profile.md") == nil)
    }
}
