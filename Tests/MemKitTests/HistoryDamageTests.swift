import Foundation
@testable import MemKit
import Testing

/// A history that can no longer say where the bullets came from changes nothing: no
/// whole-profile hand edit is made up from what is left, undo and forget and merges are
/// refused with one line saying what is wrong; a history never kept is no damage.
@Suite struct HistoryDamageTests {
    typealias Lab = HistoryLab

    /// Two learned bullets, then the journal (or the whole history/) taken away.
    func learnedTwice(_ lab: Lab) throws {
        try lab.learn([Lab.add("Interests", "Likes bouldering")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.learn([Lab.add("Personal Information", "Lives in Lisbon")], from: "ex2", at: "2026-11-21T10:00:00")
    }

    func expectRefused(_ status: MemKit.ExitStatus, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("a change was made over a damaged history")
        } catch let error as MemError {
            #expect(error.status == status, "\(error.message)")
            #expect(error.message.contains("history is damaged") && error.message.contains("nothing was changed"), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func aHistoryDirMovedAwayIsDamageAndUndoForgetAndMergeLeaveTheProfileAlone() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try learnedTwice(lab)
        try FileManager.default.moveItem(atPath: lab.store.historyDirectory, toPath: lab.dir + "/history.moved")
        let before = lab.profile()

        let state = try lab.state()
        #expect(state.handEdit == nil, "no whole-profile hand edit is made up")
        let damage = try #require(state.damage)
        #expect(damage.status == .noInput && damage.journalMissing)
        #expect(damage.error.message.contains("history/journal.jsonl is missing") && damage.error.message.contains("history-started"))
        #expect(damage.error.message.contains("llm memory load"), "says how to start again: \(damage.error.message)")
        #expect(!damage.error.message.contains("\n"))

        expectRefused(.noInput) { _ = try lab.undo() }
        expectRefused(.noInput) { try lab.forget("Likes bouldering") }
        expectRefused(.noInput) { try lab.learn([Lab.add("Interests", "Likes chess")], from: "ex3", at: "2026-11-22T10:00:00") }
        #expect(lab.profile() == before)
        #expect(!FileManager.default.fileExists(atPath: lab.store.journalPath), "nothing journalled")
        #expect(try lab.recorder.forgottenList.entries().isEmpty, "no list written either")

        // Putting history/ back repairs it: undo works again, on the newest real change.
        try? FileManager.default.removeItem(atPath: lab.store.historyDirectory)
        try FileManager.default.moveItem(atPath: lab.dir + "/history.moved", toPath: lab.store.historyDirectory)
        #expect(try lab.state().damage == nil)
        try lab.undo()
        #expect(lab.bullets() == ["Likes bouldering"])
    }

    @Test func loadingTheProfileOverAMissingJournalStartsANewHistoryWithNoMadeUpHandEdit() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try learnedTwice(lab)
        try FileManager.default.removeItem(atPath: lab.store.journalPath)
        try FileManager.default.removeItem(atPath: ProvenanceCache(store: lab.store).path)
        #expect(try lab.state().damage != nil, "the marker says a history was kept")

        try lab.recorder.replaceProfile(with: Array(lab.profile().utf8), action: "load")
        let state = try lab.state()
        #expect(state.damage == nil && state.handEdit == nil)
        let journal = try lab.journal()
        #expect(journal.count == 1 && journal[0]["action"]?.stringValue == "load")
        #expect(journal[0]["changes"]?.arrayValue?.isEmpty == true, "the load changed no bullet")
        #expect(Set(lab.bullets()) == ["Lives in Lisbon", "Likes bouldering"])
    }

    @Test func anUnreadableJournalLineIsDamageAndNoChangeIsJournalledUnderAWrongID() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try learnedTwice(lab)
        try lab.learn([Lab.add("Interests", "Likes chess")], from: "ex3", at: "2026-11-22T10:00:00")
        var lines = try String(contentsOfFile: lab.store.journalPath, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = "garbage, not a change"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: lab.store.journalPath))
        try lab.writeProfile(lab.profile() + "- Name: Ada, by hand\n")
        let journalBefore = try String(contentsOfFile: lab.store.journalPath, encoding: .utf8)

        let state = try lab.state()
        #expect(state.handEdit == nil)
        let damage = try #require(state.damage)
        #expect(damage.status == .dataError && !damage.journalMissing)
        #expect(damage.error.message.contains("line 2 cannot be read"), "\(damage.error.message)")
        expectRefused(.dataError) { _ = try lab.undo() }
        expectRefused(.dataError) { try lab.forget("Likes chess") }
        expectRefused(.dataError) { try lab.recorder.replaceProfile(with: Array("# P\n".utf8), action: "load") }
        #expect(try String(contentsOfFile: lab.store.journalPath, encoding: .utf8) == journalBefore)
        #expect(lab.bullets().contains("Name: Ada, by hand") && lab.bullets().contains("Likes chess"))
        #expect(try lab.recorder.recover().damage != nil, "recovery says so rather than recording a hand edit")
    }

    @Test func aProfileWrittenByHandBeforeAnyHistoryIsTheFirstHandEditNotDamage() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.writeProfile("# User profile\n\n## Personal Information\n\n- Name: Ada\n")
        // The porcelain may have set the cursor before anything was journalled.
        try Data("r3.t0\n".utf8).write(to: URL(fileURLWithPath: lab.store.cursorPath))
        let state = try lab.state()
        #expect(state.damage == nil)
        #expect(state.handEdit?.changes?.map(\.text) == ["Name: Ada"])
        try lab.undo()
        #expect(lab.bullets().isEmpty, "undoing the first hand edit is what the user asked")
        #expect(FileManager.default.fileExists(atPath: lab.store.historyStartedPath))
    }
}
