import Foundation
import Testing

/// A damaged history through the porcelain, the real llm and updates by the `scripted`
/// model: what is missing or broken is said in one line, the profile is never touched,
/// and nothing is made up from what is left. And forgetting what no bullet says.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct HistoryDamageCommandTests {
    @Test func aHistoryMovedAwayIsSaidAndUndoUpdateAndForgetLeaveTheProfileAlone() throws {
        let lab = try HistoryPorcelainLab.learnedTwice()
        defer { lab.remove() }
        let history = lab.memoryDir + "/history"
        try FileManager.default.moveItem(atPath: history, toPath: lab.memoryDir + "/history.moved")
        let profile = lab.profile()

        let log = try lab.porcelain(["log"])
        #expect(log.status == 0, "\(log.err)")
        #expect(log.err.contains("history is damaged") && log.err.contains("journal.jsonl is missing"), "\(log.err)")
        #expect(!log.out.contains("hand edit"), "the learned bullets are not passed off as a hand edit: \(log.out)")
        let why = try lab.porcelain(["show", "--why"])
        #expect(why.status == 0 && !why.out.contains("hand edit"), "\(why.out)")

        let undo = try lab.porcelain(["undo"])
        #expect(undo.status == 66, "\(undo.err)")
        #expect(undo.err.split(separator: "\n").count == 1, "one line: \(undo.err)")
        #expect(undo.err.contains("put history/ back") || undo.err.contains("Put history/ back"), "\(undo.err)")
        let forget = try lab.porcelain(["forget", "Likes bouldering"])
        #expect(forget.status == 66, "\(forget.err)")
        let calls = lab.modelPrompts().count
        _ = try run(Repo.llm, ["-m", "echo", "I enjoy cooking on weekends"], environment: lab.environment)
        let update = try lab.porcelain(["update"])
        #expect(update.status == 66, "\(update.err)")
        #expect(lab.modelPrompts().count == calls, "no model is asked for what could not be committed")
        #expect(lab.profile() == profile, "the profile is untouched")
        #expect(!FileManager.default.fileExists(atPath: history + "/journal.jsonl"))
        #expect(FileManager.default.fileExists(atPath: lab.sandbox.memory.historyStarted), "what told it from a history never kept")

        // Putting it back repairs it.
        try? FileManager.default.removeItem(atPath: history)
        try FileManager.default.moveItem(atPath: lab.memoryDir + "/history.moved", toPath: history)
        #expect(try lab.porcelain(["undo"]).status == 0)
        #expect(!lab.profile().contains("Lives in Lisbon") && lab.profile().contains("Likes bouldering"))
    }

    @Test func anUnreadableJournalLineStopsUndoWithOneLineAndNoChangeUnderAWrongID() throws {
        let lab = try HistoryPorcelainLab.learnedTwice()
        defer { lab.remove() }
        let journalPath = lab.memoryDir + "/history/journal.jsonl"
        var lines = (lab.read(journalPath) ?? "").split(separator: "\n").map(String.init)
        let damaged = try #require(lines.indices.last)
        lines[damaged] = "{not json"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: journalPath))
        try Data((lab.profile() + "- Name: Ada, by hand\n").utf8).write(to: URL(fileURLWithPath: lab.memoryDir + "/profile.md"))
        let profile = lab.profile(), journal = lab.read(journalPath)

        let undo = try lab.porcelain(["undo"])
        #expect(undo.status == 65, "\(undo.err)")
        #expect(undo.err.split(separator: "\n").count == 1 && undo.err.contains("line \(damaged + 1) cannot be read"), "\(undo.err)")
        #expect(lab.profile() == profile && lab.read(journalPath) == journal)
        let log = try lab.porcelain(["log"])
        #expect(log.status == 0 && log.err.contains("history is damaged"), "\(log.err)")
        #expect(log.out.contains("Likes bouldering"), "shows what it can: \(log.out)")
    }

    @Test func forgettingWhatNoBulletSaysIsRefusedUnlessAnyway() throws {
        let lab = try HistoryPorcelainLab()
        defer { lab.remove() }
        try lab.learn("I've been bouldering twice a week", adds: "Likes bouldering", in: "Interests")
        let typo = try lab.porcelain(["forget", "Likes boulderign"])
        #expect(typo.status == 1, "\(typo.err)")
        #expect(typo.err.split(separator: "\n").count == 1, "\(typo.err)")
        #expect(typo.err.contains("no bullet matches 'Likes boulderign'") && typo.err.contains("show")
                && typo.err.contains("--anyway"), "\(typo.err)")
        #expect(try lab.porcelain(["forget", "--list"]).out == "", "the typo is not kept out for good")
        #expect(lab.profile().contains("Likes bouldering"))

        let anyway = try lab.porcelain(["forget", "--anyway", "Plays the cello"])
        #expect(anyway.status == 0, "\(anyway.err)")
        #expect(try lab.porcelain(["forget", "--list"]).out == "Plays the cello\n")
        #expect(lab.profile().contains("Likes bouldering"))
    }
}

extension HistoryPorcelainLab {
    /// A lab whose updates learned "Likes bouldering", then "Lives in Lisbon".
    static func learnedTwice() throws -> HistoryPorcelainLab {
        let lab = try HistoryPorcelainLab()
        do {
            try lab.learn("I've been bouldering twice a week", adds: "Likes bouldering", in: "Interests")
            try lab.learn("I live in Lisbon these days", adds: "Lives in Lisbon", in: "Personal Information")
        } catch {
            lab.remove()
            throw error
        }
        return lab
    }
}
