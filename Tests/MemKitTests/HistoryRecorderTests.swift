import Foundation
import Testing
@testable import MemKit

/// Provenance recorded inside the commit protocol (`ChangeRecorder`), and the two rules
/// mem-merge enforces with it (`MergePolicy`).
@Suite struct HistoryRecorderTests {
    typealias Lab = HistoryLab

    @Test func everyCommitJournalsItsIdActionBulletChangesExchangesAndTheProfilesHash() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Likes bouldering")], from: "ex1", at: "2026-11-20T10:00:00", words: "I've been bouldering")
        try lab.learn([Lab.replace("Interests", "likes bouldering", "Loves bouldering"), Lab.add("Interests", "Chess")],
                      from: "ex2", at: "2026-11-21T10:00:00")
        try lab.recorder.replaceProfile(with: Array("## Interests\n- Chess\n- Go\n".utf8), action: "load")
        let journal = try lab.journal()
        #expect(journal.map { $0["id"] } == [.number(1), .number(2), .number(3)])
        #expect(journal.map { $0["action"] } == [.string("update"), .string("update"), .string("load")])
        #expect(journal[0]["changes"] == .array([.object([("kind", .string("add")), ("section", .string("Interests")),
                                                          ("text", .string("Likes bouldering")), ("sources", .array([.string("ex1")]))])]))
        #expect(journal[0]["exchanges"]?.arrayValue?.first?["words"] == .string("I've been bouldering"))
        #expect(journal[0]["exchanges"]?.arrayValue?.first?["datetime"] == .string("2026-11-20T10:00:00"))
        let second = try #require(journal[1]["changes"]?.arrayValue)
        #expect(second.map { $0["kind"] } == [.string("replace"), .string("add")])
        #expect(second[0]["old"] == .string("Likes bouldering") && second[0]["text"] == .string("Loves bouldering"))
        let third = try #require(journal[2]["changes"]?.arrayValue)
        #expect(third.map { $0["kind"] } == [.string("replace")], "Loves bouldering → Go, in place: \(third)")
        #expect(journal[2]["sha256"] == .string(SHA256.hex(Array("## Interests\n- Chess\n- Go\n".utf8))))
        #expect(try lab.state().handEdit == nil)
    }

    @Test func aBulletRewordedByHandIsOneReplaceAndAMovedBulletIsNoChange() {
        let before = [ProfileBullet(section: "A", text: "one"), ProfileBullet(section: "A", text: "two"),
                      ProfileBullet(section: "B", text: "three")]
        let after = [ProfileBullet(section: "B", text: "three"), ProfileBullet(section: "A", text: "two"),
                     ProfileBullet(section: "a", text: "uno")]
        #expect(BulletDiff.changes(from: before, to: after, pairing: .position)
            == [BulletChange(kind: .replace, section: "A", text: "uno", old: "one")])
    }

    @Test func aRemoveAndAnAddInOneDeltaStayTwoChanges() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.learn([Lab.remove("Interests", "chess"), Lab.add("Interests", "Go")], from: "ex2", at: "2026-11-21T10:00:00")
        let kinds = try lab.journal()[1]["changes"]?.arrayValue?.compactMap { $0["kind"]?.stringValue }
        #expect(kinds == ["add", "remove"])
    }

    @Test func aHandEditIsJournalledBeforeTheNextCommitAndNeverAttributedToAModel() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.writeProfile(lab.profile().replacingOccurrences(of: "- Chess\n", with: "- Chess\n- Name: Ada (by hand)\n"))
        let seen = try lab.state()
        #expect(seen.handEdit?.id == 2 && seen.handEdit?.recorded == false)
        #expect(seen.current.record(section: "Interests", text: "Name: Ada (by hand)")?.lastChanged?.action == "hand-edit")

        try lab.learn([Lab.add("Interests", "Go")], from: "ex2", at: "2026-11-21T10:00:00")
        let journal = try lab.journal()
        #expect(journal.map { $0["action"] } == [.string("update"), .string("hand-edit"), .string("update")])
        #expect(journal[1]["changes"]?.arrayValue?.first?["text"] == .string("Name: Ada (by hand)"))
        #expect(journal[1]["exchanges"] == nil && journal[1]["model"] == nil)
        let record = try #require(lab.state().current.record(section: "Interests", text: "Name: Ada (by hand)"))
        #expect(record.events.map(\.action) == ["hand-edit"])
        #expect(record.events.first?.exchanges.isEmpty == true)
        #expect(try lab.state().handEdit == nil)
    }

    @Test func recoverJournalsAHandEditAndAProfileWrittenBeforeAnyHistoryIsOne() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.writeProfile("## Interests\n- Chess\n")
        let recovered = try lab.recorder.recover()
        #expect(recovered.handEdit?.id == 1)
        #expect(try lab.journal().first?["changes"]?.arrayValue?.first?["text"] == .string("Chess"))
        #expect(try lab.recorder.recover().handEdit == nil, "recorded once")
        // Only the prose changed: still recorded (the hash moves on), with no bullet change.
        try lab.writeProfile("# Mine\n## Interests\n- Chess\n")
        #expect(try lab.recorder.recover().handEdit?.changes == [])
        #expect(try lab.recorder.recover().handEdit == nil)
    }

    @Test func theProvenanceCacheBehindTheJournalIsBroughtUpToDateAndAMissingOneRebuilt() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess")], from: "ex1", at: "2026-11-20T10:00:00")
        let cache = ProvenanceCache(store: lab.store)
        let early = try Data(contentsOf: URL(fileURLWithPath: cache.path))
        try lab.learn([Lab.replace("Interests", "Chess", "Chess and Go")], from: "ex2", at: "2026-11-21T10:00:00")
        let current = try cache.load().provenance
        // A commit killed before it saved the cache left the old one: replayed from there.
        try early.write(to: URL(fileURLWithPath: cache.path))
        #expect(try cache.load().provenance == current)
        try FileManager.default.removeItem(atPath: cache.path)
        #expect(try cache.load().provenance == current)
        // A cache that does not fit the journal is not trusted.
        try Data(#"{"version":1,"journal_size":5,"last_id":7,"bullets":[]}"#.utf8).write(to: URL(fileURLWithPath: cache.path))
        #expect(try cache.load().provenance == current)
        #expect(current.record(section: "Interests", text: "Chess and Go")?.events.map(\.text) == ["Chess", "Chess and Go"])
    }

    // MARK: - The present wins

    @Test func anOldExchangeDoesNotReplaceANewerFact() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Personal Information", "Role: Backend engineer")], from: "last-week", at: "2026-11-18T09:00:00",
                      words: "I'm a backend engineer")
        let result = try lab.learn([Lab.replace("Personal Information", "Role: Backend engineer", "Role: Frontend developer")],
                                   from: "a-year-ago", at: "2025-11-25T09:00:00", words: "I'm a frontend developer",
                                   action: .backfill)
        #expect(lab.bullets() == ["Role: Backend engineer"])
        #expect(result.skipped.first?.detail.hasPrefix("the profile has newer information") == true, "\(result.skipped)")
        // A newer exchange may still change it.
        try lab.learn([Lab.replace("Personal Information", "Role: Backend engineer", "Role: Staff engineer")],
                      from: "today", at: "2026-11-25T09:00:00")
        #expect(lab.bullets() == ["Role: Staff engineer"])
    }

    @Test func aBulletWrittenByHandIsNotRemovedByAnOpFromAnEarlierExchange() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.recorder.replaceProfile(with: Array("## Interests\n- Chess\n".utf8), action: "edit")
        var delta = Delta(ops: [DeltaOp(kind: .remove, section: "Interests", old: "Chess", source: "old",
                                        sourceTime: "2020-01-01T00:00:00+00:00")], sources: ["old"], action: .backfill)
        let result = try lab.recorder.mergeInPlace(delta)
        #expect(lab.bullets() == ["Chess"])
        #expect(result.skipped.first?.detail.contains("a change by hand (edit)") == true, "\(result.skipped)")
        delta.ops[0].sourceTime = nil  // no time known: not held back
        try lab.recorder.mergeInPlace(delta)
        #expect(lab.bullets() == [])
    }

    // MARK: - Forgotten stays forgotten

    @Test func anUpdateNeverAddsWhatWasForgottenButAnUndoMayBringItBack() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Likes bouldering")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.forget("Likes bouldering")
        #expect(lab.bullets() == [])
        #expect(try lab.recorder.forgottenList.entries() == ["Likes bouldering"])
        for op in [Lab.add("Interests", "likes Bouldering!"), Lab.add("Hobbies", "Likes bouldering and chess"),
                   Lab.replace("Interests", "x", "Likes bouldering")] {
            let result = try lab.learn([op], from: "ex2", at: "2026-11-22T10:00:00")
            #expect(result.skipped.first?.detail.hasPrefix("forgotten") == true, "\(op)")
        }
        #expect(lab.bullets() == [])
        try lab.learn([Lab.add("Interests", "Likes climbing")], from: "ex3", at: "2026-11-23T10:00:00")
        #expect(lab.bullets() == ["Likes climbing"])
        // Undoing the forget is the user's choice: the bullet comes back, the text off the list.
        try lab.undo(try lab.state().newestID - 4)
        #expect(Set(lab.bullets()) == ["Likes climbing", "Likes bouldering"])
        #expect(try lab.recorder.forgottenList.entries() == [])
    }

    @Test func theForgottenFileKeepsTheUsersOwnLinesAndComments() throws {
        let lab = try Lab()
        defer { lab.remove() }
        let list = lab.recorder.forgottenList
        try Data("# mine\nChess\n\n".utf8).write(to: URL(fileURLWithPath: list.path))
        #expect(try list.add(["Go", "Chess"]) == ["Go"])
        #expect(try list.remove(["Chess"]) == ["Chess"])
        #expect(try String(contentsOfFile: list.path, encoding: .utf8) == "# mine\n\nGo\n")
        try FileManager.default.removeItem(atPath: list.path)
        try list.add(["Go"])
        let text = try String(contentsOfFile: list.path, encoding: .utf8)
        #expect(text.hasPrefix("# ") && text.hasSuffix("\nGo\n"))
        var info = stat()
        #expect(stat(list.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    // MARK: - Journals from before

    @Test func oldMergeLinesReadAsUpdatesNumberedByLineAndTheFirstNewCommitFollowsOn() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.store.prepareDirectories()
        let old = [
            #"{"time":"2026-01-01T00:00:00Z","action":"merge","applied":[{"op":"add","section":"Interests","text":"Chess","source":"e1","effect":"added"}],"skipped":[],"sources":["e1"],"through":"r0.t1","model":"m","previous":null}"#,
            #"{"time":"2026-01-02T00:00:00Z","action":"merge","applied":[{"op":"replace","section":"Interests","old":"chess","text":"Chess and Go","source":"e2","effect":"replaced"}],"skipped":[],"sources":["e2"],"through":"r0.t2","model":"m","previous":"profile-x.md"}"#,
        ]
        try Data((old.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: lab.store.journalPath))
        try lab.writeProfile(ProfileDocument.defaultText.replacingOccurrences(of: "## Interests\n", with: "## Interests\n\n- Chess and Go\n"))
        let state = try lab.state()
        #expect(state.handEdit == nil)
        let newest = try state.newest(5)
        #expect(newest.map(\.id) == [2, 1])
        #expect(newest.map(\.actionName) == ["update", "update"])
        #expect(newest[0].changes == [BulletChange(kind: .replace, section: "Interests", text: "Chess and Go", old: "chess", sources: ["e2"])])
        #expect(state.current.record(section: "Interests", text: "Chess and Go")?.events.map(\.change) == [1, 2])
        try lab.learn([Lab.add("Interests", "Go")], from: "e3", at: "2026-11-21T10:00:00")
        #expect(try lab.journal().last?["id"] == .number(3))
    }
}
