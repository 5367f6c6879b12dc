import Foundation
import Testing
import TestKit

/// `llm-memory pause` … `resume` through the porcelain, with calls logged by the real llm
/// 0.36 (no shell wrapper: any program's calls) and updates by the test model `facts`
/// ("I like fact-0001" becomes "- Likes fact-0001"): what is said while paused is never
/// learned, what came before is, and so is what comes after — in a new conversation.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venvs (make test-env)"))
struct OffRecordUpdateTests {
    struct User {
        let sandbox: Sandbox
        let llmMemory: String
        var environment: [String: String]
        var offRecord: String { sandbox.memory.offRecord }

        init() throws {
            sandbox = try Sandbox()
            llmMemory = try sandbox.makeBin() + "/llm-memory"
            environment = sandbox.environment
            environment["LLM_MEMORY_MODEL"] = "facts"
        }

        /// A call as any program would make it: the real llm, the `echo` model.
        func say(_ words: String, _ options: [String] = []) throws {
            let result = try run(Repo.llm, ["-m", "echo"] + options + [words], stdin: Data(), environment: environment)
            #expect(result.status == 0, "llm: \(result.err)")
        }

        @discardableResult
        func porcelain(_ arguments: [String]) throws -> RunResult {
            let result = try run(llmMemory, arguments, environment: environment)
            #expect(result.status == 0, "llm-memory \(arguments): \(result.err)")
            return result
        }

        var learned: [String] {
            likedFacts(inProfile: try? String(contentsOfFile: sandbox.memory.profile, encoding: .utf8))
        }

        var offRecordLines: [String] {
            ((try? String(contentsOfFile: offRecord, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    @Test func whatIsSaidWhilePausedIsNeverLearnedAndWhatCameBeforeAndAfterIs() throws {
        let user = try User()
        defer { user.sandbox.remove() }
        try user.porcelain(["update"])  // the first update: learning starts here
        try user.say("I like fact-0001")
        try user.porcelain(["pause"])
        try user.say("I like fact-0002")
        try user.say("I like fact-0003", ["-c"])
        // An update while paused changes nothing.
        #expect(try user.porcelain(["update"]).err.contains("paused"))
        #expect(user.learned.isEmpty)
        try user.porcelain(["resume"])
        try user.say("I like fact-0004", ["-c"])  // the paused conversation, continued
        try user.say("I like fact-0005")
        try user.porcelain(["update"])
        #expect(user.learned == ["fact-0001", "fact-0005"])

        let lines = user.offRecordLines
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("pause r") == true && lines.last?.hasPrefix("resume r") == true, "\(lines)")
        let mode = try FileManager.default.attributesOfItem(atPath: user.offRecord)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Nothing more to learn: a second update changes nothing.
        try user.porcelain(["update"])
        #expect(user.learned == ["fact-0001", "fact-0005"])
    }

    @Test func aSecondPauseKeepsTheFirstPointAndAResumeWhenNotPausedChangesNothing() throws {
        let user = try User()
        defer { user.sandbox.remove() }
        try user.porcelain(["update"])
        try user.say("I like fact-0001")
        try user.porcelain(["pause"])
        try user.say("I like fact-0002")
        #expect(try user.porcelain(["pause"]).err.contains("already paused"))
        try user.say("I like fact-0003")
        try user.porcelain(["resume"])
        #expect(try user.porcelain(["resume"]).err.contains("not paused"))
        try user.say("I like fact-0004")
        try user.porcelain(["update"])
        #expect(user.learned == ["fact-0001", "fact-0004"])
        // Each adds its line all the same (a resume closes a stretch a crash left open).
        #expect(user.offRecordLines.map { $0.split(separator: " ").first ?? "" } == ["pause", "pause", "resume", "resume"],
                "\(user.offRecordLines)")
    }

    /// Paused before llm has logged anything (no logs.db yet): the stretch starts at the
    /// beginning.
    @Test func aPauseBeforeLLMLoggedAnythingKeepsEverythingUntilResumeOffTheRecord() throws {
        let user = try User()
        defer { user.sandbox.remove() }
        try user.porcelain(["update"])
        try user.porcelain(["pause"])
        #expect(user.offRecordLines.first?.hasPrefix("pause r0.t0 ") == true, "\(user.offRecordLines)")
        try user.say("I like fact-0001")
        try user.porcelain(["resume"])
        try user.say("I like fact-0002")
        try user.porcelain(["update"])
        #expect(user.learned == ["fact-0002"])
    }
}
