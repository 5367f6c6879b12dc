import Foundation
import Testing
import TestKit
@testable import MemKit
#if canImport(Glibc)
import Glibc
#endif

/// Commits stopped after each step of the protocol (`ProfileStore.stopAfter`, which leaves
/// the files exactly as a kill at that point would), and the recovery that follows.
extension CrashTests {
    /// A profile in a scratch dir (returned, for the caller to remove) after one update
    /// that learned `text` from exchange `source`, read through `through`.
    func recorderAfterOneUpdate(learning text: String, from source: String, through: String) throws -> (String, ChangeRecorder) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crash-store-\(UUID().uuidString)").path
        let recorder = ChangeRecorder(profilePath: dir + "/profile.md")
        try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: text)],
                                        sources: [source], through: through, model: "facts"))
        return (dir, recorder)
    }

    // (An update changes no list: listsWritten is for undo and forget, below.)
    @Test(arguments: ProfileStore.CommitStep.allCases.filter { $0 != .listsWritten })
    func aMergeInterruptedAfterAnyStepIsFinishedOrDroppedSoItCountsExactlyOnce(step: ProfileStore.CommitStep) throws {
        let (dir, clean) = try recorderAfterOneUpdate(learning: "Likes fact-0001", from: "ex1", through: "r0.t1")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try #require(FileManager.default.contents(atPath: clean.store.profilePath))
        var interrupted = clean
        interrupted.store.stopAfter = step
        let delta = Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0002")],
                          sources: ["ex2"], through: "r0.t2", model: "facts")
        #expect(throws: MemError.self) { try interrupted.mergeInPlace(delta) }

        let recovery = try clean.store.recover()
        let journal = try journalLines(clean.store.journalPath)
        let profile = try #require(FileManager.default.contents(atPath: clean.store.profilePath))
        #expect(!FileManager.default.fileExists(atPath: clean.store.pendingPath))
        switch step {
        case .historySaved, .pendingWritten:
            // Killed before the record: nothing to recover; after it: dropped.
            #expect(recovery == (step == .historySaved ? .nothing : .discarded(action: "update", through: "r0.t2")))
            #expect(profile == before)
            #expect(journal.count == 1)
            #expect(try String(contentsOfFile: clean.store.cursorPath, encoding: .utf8) == "r0.t1\n")
        case .profileWritten, .listsWritten, .journalAppended, .cursorWritten:
            #expect(recovery == .completed(action: "update", through: "r0.t2"))
            #expect(String(decoding: profile, as: UTF8.self).contains("- Likes fact-0002\n"))
            #expect(journal.count == 2)
            #expect(journal.last?["sources"] == .array([.string("ex2")]))
            #expect(try String(contentsOfFile: clean.store.cursorPath, encoding: .utf8) == "r0.t2\n")
        }
        // Recovering again, or the next merge, changes nothing more about that commit.
        #expect(try clean.store.recover() == .nothing)
        try clean.mergeInPlace(Delta(ops: [], sources: ["ex3"], through: "r0.t3"))
        let sources = try journalLines(clean.store.journalPath).compactMap { $0["sources"]?.arrayValue }.flatMap { $0 }
        #expect(sources.filter { $0 == .string("ex2") }.count == (step == .historySaved || step == .pendingWritten ? 0 : 1))
        for name in clean.store.historyVersions() {
            #expect(try ProfileDocument(validating: Array(FileManager.default.contents(atPath: clean.store.historyDirectory + "/" + name) ?? Data()), name: name).bytes.count > 0)
        }
    }

    /// A backfill's commit moves `backfill-cursor`, never the live updates' `cursor`, in the
    /// same protocol: interrupted after any step, it is finished or dropped, so it counts
    /// exactly once, and `cursor` stays where the live updates left it.
    @Test(arguments: ProfileStore.CommitStep.allCases.filter { $0 != .listsWritten })
    func aBackfillInterruptedAfterAnyStepMovesOnlyTheBackfillCursorAndCountsOnce(step: ProfileStore.CommitStep) throws {
        let (dir, clean) = try recorderAfterOneUpdate(learning: "Likes fact-0100", from: "new", through: "r0.t10")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var interrupted = clean
        interrupted.store.stopAfter = step
        var delta = Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0001")],
                          sources: ["old"], through: "r0.t3", model: "facts")
        delta.action = .backfill
        #expect(throws: MemError.self) { try interrupted.mergeInPlace(delta) }

        _ = try clean.store.recover()
        let committed = !(step == .historySaved || step == .pendingWritten)
        let backfillCursor = FileManager.default.contents(atPath: MemoryDirLayout(dir).backfillCursor).map { String(decoding: $0, as: UTF8.self) }
        #expect(backfillCursor == (committed ? "r0.t3\n" : nil))
        #expect(try String(contentsOfFile: clean.store.cursorPath, encoding: .utf8) == "r0.t10\n")
        let journal = try journalLines(clean.store.journalPath)
        #expect(journal.count == (committed ? 2 : 1))
        #expect(journal.filter { $0["action"] == .string("backfill") }.count == (committed ? 1 : 0))
        #expect(try clean.store.recover() == .nothing)
        #expect(!FileManager.default.fileExists(atPath: clean.store.pendingPath))
    }

    @Test(arguments: ProfileStore.CommitStep.allCases.filter { $0 != .cursorWritten && $0 != .listsWritten })
    func aLoadInterruptedAfterAnyStepIsJournalledOnceOrNotAtAll(step: ProfileStore.CommitStep) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crash-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clean = ChangeRecorder(profilePath: dir + "/profile.md")
        try clean.replaceProfile(with: Array("## A\n- one\n".utf8), action: "load")
        var interrupted = clean
        interrupted.store.stopAfter = step
        #expect(throws: MemError.self) { try interrupted.replaceProfile(with: Array("## A\n- two\n".utf8), action: "edit") }
        let recovery = try clean.store.recover()
        let journal = try journalLines(clean.store.journalPath)
        let profile = try String(contentsOfFile: clean.store.profilePath, encoding: .utf8)
        if step == .historySaved || step == .pendingWritten {
            #expect(recovery == (step == .historySaved ? .nothing : .discarded(action: "edit", through: nil)))
            #expect(profile == "## A\n- one\n")
            #expect(journal.map { $0["action"] } == [.string("load")])
        } else {
            #expect(recovery == .completed(action: "edit", through: nil))
            #expect(profile == "## A\n- two\n")
            #expect(journal.map { $0["action"] } == [.string("load"), .string("edit")])
            #expect(journal.last?["previous"]?.stringValue.map { clean.store.historyVersions().contains($0) } == true)
        }
        #expect(!FileManager.default.fileExists(atPath: clean.store.cursorPath))
    }

    @Test func aJournalLineTornByAKillIsCutOffAndWrittenWholeOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crash-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clean = ChangeRecorder(profilePath: dir + "/profile.md")
        try clean.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0001")], through: "r0.t1"))
        var interrupted = clean
        interrupted.store.stopAfter = .profileWritten
        _ = try? interrupted.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0002")],
                                                sources: ["ex2"], through: "r0.t2"))
        // The kill landed inside the journal's write: half the line is there, no newline.
        let pending = try JSONParser.parse(Array(try #require(FileManager.default.contents(atPath: clean.store.pendingPath))))
        let line = try #require(pending["entry"]).serialized()
        let handle = try #require(FileHandle(forWritingAtPath: clean.store.journalPath))
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8.prefix(line.utf8.count / 2)))
        handle.closeFile()

        #expect(try clean.store.recover() == .completed(action: "update", through: "r0.t2"))
        let journal = try journalLines(clean.store.journalPath)
        #expect(journal.count == 2)
        #expect(journal.last?["sources"] == .array([.string("ex2")]))
        #expect(try String(contentsOfFile: clean.store.cursorPath, encoding: .utf8) == "r0.t2\n")
    }

    @Test func tempFilesOfDeadProcessesAreRemovedAndThoseOfLiveOnesKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crash-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = ChangeRecorder(profilePath: dir + "/profile.md")
        try store.replaceProfile(with: Array("## A\n".utf8), action: "load")
        let dead = Int32(Int32.max - 7)  // above any pid_max: no such process
        let stale = [".profile.md.tmp-\(dead)-0", ".cursor.tmp-\(dead)-3", ".pending.tmp-\(dead)-0", "history/.profile.tmp-\(dead)-1",
                     ".forgotten.tmp-\(dead)-0", "history/.provenance.json.tmp-\(dead)-2"]
        let live = [".profile.md.tmp-\(getpid())-0", "history/.profile.tmp-\(getpid())-9"]
        let unrelated = [".notes.md.tmp-\(dead)-0", "profile.md.tmp-\(dead)-0"]
        for name in stale + live + unrelated { _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("x".utf8)) }
        #if os(Linux)
        // pid 1 runs, but it started long after 1970: a file "it" wrote then is a reused pid's.
        let reused = ".cursor.tmp-1-0"
        _ = FileManager.default.createFile(atPath: dir + "/" + reused, contents: Data("x".utf8),
                                           attributes: [.modificationDate: Date(timeIntervalSince1970: 1000)])
        let current = ".pending.tmp-1-0"
        _ = FileManager.default.createFile(atPath: dir + "/" + current, contents: Data("x".utf8))
        #expect(try store.store.recover() == .nothing)
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + reused), "a temp file of a reused pid was left")
        #expect(FileManager.default.fileExists(atPath: dir + "/" + current), "a temp file of a running process was removed")
        #endif
        #expect(try store.store.recover() == .nothing)
        for name in stale { #expect(!FileManager.default.fileExists(atPath: dir + "/" + name), "\(name) was left") }
        for name in live + unrelated { #expect(FileManager.default.fileExists(atPath: dir + "/" + name), "\(name) was removed") }
    }

    /// Provenance is part of the commit: whatever kind of change is stopped after whatever
    /// step, the provenance (the journal replayed, with a pending commit that wrote the
    /// profile) agrees with the profile before recovery and after it, and the change
    /// counts once or not at all. A hand edit, which is the user's, is recorded exactly once.
    /// The lists an undo or a forget changes (`undone`, `forgotten`) change exactly when
    /// its journal line is there: never a text forgotten by a change that did not happen.
    @Test(arguments: ProfileStore.CommitStep.allCases)
    func aChangeOfAnyKindInterruptedAfterAnyStepLeavesProvenanceAndProfileAgreeing(step: ProfileStore.CommitStep) throws {
        // (A hand edit writes no profile; only an update moves the cursor; only undo and
        // forget change a list.)
        for kind in ["update", "hand-edit", "undo", "forget", "load"]
        where !(step == .cursorWritten && kind != "update") && !(step == .profileWritten && kind == "hand-edit")
            && !(step == .listsWritten && kind != "undo" && kind != "forget") {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crash-provenance-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let clean = ChangeRecorder(profilePath: dir + "/profile.md")
            let profile = clean.store.profilePath
            func learn(_ n: Int) -> Delta {
                var delta = Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Likes fact-000\(n)", source: "ex\(n)")],
                                  sources: ["ex\(n)"], through: "r0.t\(n)", model: "facts")
                delta.exchanges = [SourceExchange(id: "ex\(n)", datetime: "2026-11-2\(n)T10:00:00", model: "echo", words: "I like fact-000\(n).")]
                return delta
            }
            try clean.mergeInPlace(learn(1))
            try clean.mergeInPlace(learn(2))
            var interrupted = clean
            interrupted.store.stopAfter = step
            let context = "\(kind) stopped after \(step)"
            let handWritten = "- Written by hand\n"
            #expect(throws: MemError.self, "\(context)") {
                switch kind {
                case "update": try interrupted.mergeInPlace(learn(3))
                case "hand-edit":
                    try Data((String(decoding: FileManager.default.contents(atPath: profile)!, as: UTF8.self) + handWritten).utf8)
                        .write(to: URL(fileURLWithPath: profile))
                    try interrupted.mergeInPlace(learn(3))  // records the hand edit first, and stops there
                case "undo": try interrupted.mergeInPlace(Undo.delta(HistoryState.load(clean.store), id: nil, force: false).delta)
                case "forget": try interrupted.mergeInPlace(Forget.delta("fact-0001", in: HistoryState.load(clean.store), all: false).delta)
                default: try interrupted.replaceProfile(with: Array("## Interests\n- Loaded\n".utf8), action: "load")
                }
            }
            if kind == "hand-edit" {
                // Seen as the user's before it is recorded (or as recorded, once its line is due).
                let seen = try HistoryState.load(clean.store)
                #expect(seen.handEdit == nil || seen.handEdit?.changes == [BulletChange(kind: .add, section: "Preferences", text: "Written by hand")],
                        "\(context): \(String(describing: seen.handEdit))")
            } else {
                #expect(provenanceProblems(profile).isEmpty, "\(context), before recovery: \(provenanceProblems(profile))")
            }
            try clean.recover()
            #expect(provenanceProblems(profile).isEmpty, "\(context), after recovery: \(provenanceProblems(profile))")
            let journal = try journalLines(clean.store.journalPath)
            let actions = journal.compactMap { $0["action"]?.stringValue }
            #expect(Array(actions.prefix(2)) == ["update", "update"], "\(context): \(actions)")
            #expect(actions.count <= 3, "\(context): counted twice: \(actions)")
            #expect(journal.map { $0["id"] } == (1...journal.count).map { .number(Double($0)) }, "\(context)")
            if kind == "hand-edit" {
                #expect(actions == ["update", "update", "hand-edit"], "\(context): \(actions)")
            } else if actions.count == 3 {
                #expect(actions[2] == kind, "\(context): \(actions)")
            }
            let listed = kind == "forget" ? try clean.forgottenList.entries() == ["fact-0001"]
                : kind == "undo" ? try clean.undoneList.entries() == ["ex2"] : false
            #expect(listed == (actions.count == 3 && (kind == "forget" || kind == "undo")),
                    "\(context): the list changed \(listed ? "without" : "but not with") its journal line: \(actions)")
        }
    }
}
