import Foundation
import Testing
import TestKit

/// `LLM_MEMORY_MODEL=local llm-memory update` over prompts logged by the real llm with
/// the `echo` model: the profile is built with no model call.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct LocalUpdateEndToEndTests {
    private func file(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The porcelain beside the tools just built (it prefers tools next to itself), so the
    /// test never runs an older release build.
    private func porcelain(in sandbox: Sandbox) throws -> String {
        try sandbox.makeBin() + "/llm-memory"
    }

    @Test func echoPromptsBecomeRoleLocationAndPreferenceBulletsAndASecondUpdateChangesNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        var env = sandbox.environment
        env["LLM_MEMORY_MODEL"] = "local"
        let rules = sandbox.root.appendingPathComponent("rules.json")
        try Data(#"[{"match": "", "error": "no model should be called"}]"#.utf8).write(to: rules)
        let log = sandbox.root.appendingPathComponent("model-calls.jsonl")
        env["LLM_SCRIPTED_RULES"] = rules.path
        env["LLM_SCRIPTED_LOG"] = log.path
        let llmMemory = try porcelain(in: sandbox)
        let origin = try setUpMemory(porcelain: llmMemory, environment: env)

        for prompt in ["I'm a Rust developer and I live in Lisbon", "what is a monad?", "I prefer short answers"] {
            let logged = try run(Repo.llm, ["-m", "echo", prompt], environment: env)
            #expect(logged.status == 0, "\(logged.err)")
        }

        let update = try run(llmMemory, ["update"], environment: env)
        #expect(update.status == 0, "\(update.err)")
        let profile = try #require(file(sandbox.memory.profile))
        #expect(profile.contains("- Role: Rust developer\n"))
        #expect(profile.contains("- Lives in Lisbon\n"))
        #expect(profile.contains("- Prefers short answers\n"))
        #expect(!profile.lowercased().contains("monad"))
        #expect(file(sandbox.memory.fragment)?.contains("Prefers short answers") == true)
        let journal = try #require(file(sandbox.memory.journal))
        #expect(journal.contains("\"model\":\"local\"") || journal.contains("\"model\": \"local\""))
        let cursor = file(sandbox.memory.cursor)
        #expect(cursor != nil && cursorToken(sandbox.memoryDir) != origin)

        let again = try run(llmMemory, ["update"], environment: env)
        #expect(again.status == 0, "\(again.err)")
        #expect(file(sandbox.memory.profile) == profile)
        #expect(file(sandbox.memory.journal) == journal)
        #expect(file(sandbox.memory.cursor) == cursor)
        // No model was ever asked.
        #expect(file(log.path) == nil)
    }
}
