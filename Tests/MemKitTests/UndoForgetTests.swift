import Foundation
import Testing
@testable import MemKit

/// The deltas `mem-history undo` and `forget` print, applied as mem-merge applies them.
@Suite struct UndoForgetTests {
    typealias Lab = HistoryLab

    @Test func undoTakesBackTheNewestUpdateAndListsItsExchangesAsUndone() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.learn([Lab.add("Interests", "Likes bouldering")], from: "ex2", at: "2026-11-21T10:00:00")
        let delta = try lab.undo()
        #expect(delta.action == .undo && delta.undoes == 2 && delta.through == nil)
        #expect(lab.bullets() == ["Chess"])
        #expect(try lab.recorder.undoneList.entries() == ["ex2"])
        let last = try #require(try lab.journal().last)
        #expect(last["action"] == .string("undo") && last["undoes"] == .number(2))
        // Undoing the undo puts it back.
        try lab.undo()
        #expect(lab.bullets() == ["Chess", "Likes bouldering"])
    }

    @Test func undoPutsBackWhatAChangeRewordedOrRemoved() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess"), Lab.add("Interests", "Go")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.learn([Lab.replace("Interests", "chess", "Chess (weekly)"), Lab.remove("Interests", "Go")], from: "ex2", at: "2026-11-21T10:00:00")
        try lab.undo(2)
        #expect(Set(lab.bullets()) == ["Chess", "Go"])
    }

    @Test func undoIsRefusedWhenALaterChangeTouchedTheSameBulletsUnlessForced() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.learn([Lab.replace("Interests", "Chess", "Chess and Go")], from: "ex2", at: "2026-11-21T10:00:00")
        do {
            _ = try Undo.delta(lab.state(), id: 1, force: false)
            Issue.record("undo went past a later change")
        } catch {
            #expect(error.status == .refused)
            #expect(error.message.contains("change 2"))
        }
        let forced = try Undo.delta(lab.state(), id: 1, force: true).delta
        #expect(forced.ops == [DeltaOp(kind: .remove, section: "Interests", old: "Chess")])
    }

    @Test func undoOfAChangeThatDoesNotExistOrOfNoHistoryIsAClearError() throws {
        let lab = try Lab()
        defer { lab.remove() }
        #expect(throws: MemError.self) { _ = try Undo.delta(lab.state(), id: nil, force: false) }
        do { _ = try Undo.delta(lab.state(), id: nil, force: false) } catch { #expect(error.status == .noInput) }
        try lab.learn([Lab.add("Interests", "Chess")], from: "ex1", at: "2026-11-20T10:00:00")
        do {
            _ = try Undo.delta(lab.state(), id: 7, force: false)
            Issue.record("undo of change 7 printed a delta")
        } catch {
            #expect(error.status == .dataError)
            #expect(error.message.contains("no change 7"))
        }
    }

    @Test func undoOfALoadAndOfAClearPutsTheBulletsBack() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.recorder.replaceProfile(with: Array("## Interests\n- Chess\n- Go\n".utf8), action: "load")
        try lab.recorder.replaceProfile(with: ProfileDocument.default.bytes, action: "clear")
        #expect(lab.bullets() == [])
        try lab.undo()
        #expect(Set(lab.bullets()) == ["Chess", "Go"])
        try lab.recorder.replaceProfile(with: Array("## Interests\n- Chess\n- Shogi\n".utf8), action: "load")
        try lab.undo()
        #expect(Set(lab.bullets()) == ["Chess", "Go"])
    }

    @Test func undoOfAHandEditNotYetRecordedUsesTheIdItWillGet() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.writeProfile(lab.profile() + "- Written by hand\n")
        let delta = try lab.undo()
        #expect(delta.undoes == 2)
        #expect(lab.bullets() == ["Chess"])
        #expect(try lab.journal().map { $0["action"] } == [.string("update"), .string("hand-edit"), .string("undo")])
    }

    @Test func forgetNamesOneBulletAndRefusesSeveralWithoutAllAndNoneWithoutAnyway() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Likes bouldering"), Lab.add("Preferences", "Bouldering gym: Arkose")],
                      from: "ex1", at: "2026-11-20T10:00:00")
        do {
            _ = try Forget.delta("bouldering", in: lab.state(), all: false)
            Issue.record("forget acted on several bullets without --all")
        } catch {
            #expect(error.status == .refused)
            #expect(error.message.contains("Likes bouldering") && error.message.contains("Bouldering gym: Arkose"))
        }
        let one = try Forget.delta("likes bouldering", in: lab.state(), all: false).delta
        #expect(one.ops.map(\.old) == ["Likes bouldering"] && one.forget == ["likes bouldering"])
        try lab.forget("bouldering", all: true)
        #expect(lab.bullets() == [])
        // Nothing left to name: refused (a typo is not kept out for good), unless --anyway.
        do {
            _ = try Forget.delta("Rust", in: lab.state(), all: false)
            Issue.record("forget of a text no bullet names was not refused")
        } catch {
            #expect(error.status == .refused)
            #expect(error.message.contains("no bullet matches 'Rust'") && error.message.contains("--anyway"))
        }
        let none = try Forget.delta("Rust", in: lab.state(), all: false, anyway: true).delta
        #expect(none.ops.isEmpty && none.forget == ["Rust"])
    }

    @Test func forgetUndoTakesTheTextOffTheListAndItMayBeLearnedAgain() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.forget("Likes bouldering", anyway: true)
        do {
            _ = try Forget.unforgetDelta("chess", list: lab.recorder.forgottenList, all: false)
            Issue.record("an entry that is not there was taken off")
        } catch {
            #expect(error.status == .refused)
        }
        try lab.recorder.mergeInPlace(Forget.unforgetDelta("bouldering", list: lab.recorder.forgottenList, all: false).delta)
        #expect(try lab.recorder.forgottenList.entries() == [])
        try lab.learn([Lab.add("Interests", "Likes bouldering")], from: "ex2", at: "2026-11-22T10:00:00")
        #expect(lab.bullets() == ["Likes bouldering"])
        #expect(try lab.journal().compactMap { $0["unforget"] }.first == .array([.string("Likes bouldering")]))
    }
}
