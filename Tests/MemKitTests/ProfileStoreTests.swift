import Foundation
import Testing
@testable import MemKit

/// A scratch directory per test, removed afterwards.
private struct TempDir {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("profile-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() {
        _ = chmod(path + "/memory", 0o700)
        try? FileManager.default.removeItem(atPath: path)
    }
}

private func mode(_ path: String) -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { return -1 }
    return Int(info.st_mode & 0o777)
}

private func readText(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

private func journalEntries(_ store: ProfileStore) throws -> [JSONValue] {
    let text = readText(store.journalPath) ?? ""
    return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
}

@Suite struct ProfileStoreTests {
    @Test func anInPlaceMergeWritesAPrivateProfileWithHistoryJournalAndCursor() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let store = ProfileStore(profilePath: tmp.path + "/memory/profile.md")
        let recorder = ChangeRecorder(store: store)

        let first = Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Rust", source: "ex1")],
                          sources: ["ex1"], through: "r0.t1", model: "gpt-4o-mini")
        try recorder.mergeInPlace(first)
        #expect(mode(tmp.path + "/memory") == 0o700)
        #expect(mode(store.historyDirectory) == 0o700)
        #expect(mode(store.profilePath) == 0o600)
        let afterFirst = readText(store.profilePath)
        #expect(afterFirst == ProfileDocument.defaultText.replacingOccurrences(of: "## Interests\n", with: "## Interests\n\n- Rust\n"))
        #expect(store.historyVersions().isEmpty)
        #expect(readText(store.cursorPath) == "r0.t1\n")
        #expect(mode(store.cursorPath) == 0o600)

        let second = Delta(ops: [
            DeltaOp(kind: .replace, section: "Interests", text: "Rust and Go", old: "rust"),
            DeltaOp(kind: .remove, section: "Interests", old: "Cobol"),
        ], sources: ["ex2", "ex3"], through: "r0.t3", model: "gpt-4o-mini")
        let result = try recorder.mergeInPlace(second)
        #expect(result.applied.count == 1 && result.skipped.count == 1)
        #expect(readText(store.profilePath)?.contains("- Rust and Go\n") == true)
        let versions = store.historyVersions()
        #expect(versions.count == 1)
        #expect(versions[0].hasPrefix("profile-") && versions[0].hasSuffix("-1.md"))
        #expect(readText(store.historyDirectory + "/" + versions[0]) == afterFirst)
        #expect(mode(store.historyDirectory + "/" + versions[0]) == 0o600)
        #expect(readText(store.cursorPath) == "r0.t3\n")

        let entries = try journalEntries(store)
        #expect(entries.count == 2)
        #expect(mode(store.journalPath) == 0o600)
        let entry = entries[1]
        #expect(entry["action"] == .string("update"))
        #expect(entry["time"]?.stringValue?.hasSuffix("Z") == true)
        #expect(entry["applied"]?.arrayValue?.count == 1)
        #expect(entry["applied"]?.arrayValue?.first?["op"] == .string("replace"))
        #expect(entry["skipped"]?.arrayValue?.first?["reason"] == .string("no bullet matches 'Cobol'"))
        #expect(entry["skipped"]?.arrayValue?.first?["op"]?["old"] == .string("Cobol"))
        #expect(entry["sources"] == .array([.string("ex2"), .string("ex3")]))
        #expect(entry["through"] == .string("r0.t3"))
        #expect(entry["model"] == .string("gpt-4o-mini"))
        #expect(entry["previous"] == .string(versions[0]))
        #expect(entries[0]["previous"] == .null)
    }

    @Test func aMergeThatChangesNothingRewritesNothingButIsJournalledAndMovesTheCursor() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let store = ProfileStore(profilePath: tmp.path + "/memory/profile.md")
        let recorder = ChangeRecorder(store: store)
        try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Rust")], through: "r0.t1"))
        let inodeBefore = try FileManager.default.attributesOfItem(atPath: store.profilePath)[.systemFileNumber] as? Int
        let result = try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "interests", text: "rust.")], through: "r0.t9"))
        #expect(!result.changed)
        let inodeAfter = try FileManager.default.attributesOfItem(atPath: store.profilePath)[.systemFileNumber] as? Int
        #expect(inodeBefore == inodeAfter)
        #expect(store.historyVersions().isEmpty)
        #expect(try journalEntries(store).count == 2)
        #expect(try journalEntries(store)[1]["previous"] == .null)
        #expect(readText(store.cursorPath) == "r0.t9\n")
    }

    @Test func anEmptyDeltaOnAMissingProfileCreatesNoProfileButMovesTheCursor() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let store = ProfileStore(profilePath: tmp.path + "/memory/profile.md")
        let recorder = ChangeRecorder(store: store)
        try recorder.mergeInPlace(Delta(ops: [], sources: ["a"], through: "r3.t4"))
        #expect(!FileManager.default.fileExists(atPath: store.profilePath))
        #expect(readText(store.cursorPath) == "r3.t4\n")
        #expect(try journalEntries(store).first?["applied"] == .array([]))
    }

    @Test func aDeltaWithoutThroughLeavesTheCursorAlone() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let store = ProfileStore(profilePath: tmp.path + "/memory/profile.md")
        let recorder = ChangeRecorder(store: store)
        try recorder.mergeInPlace(Delta(ops: [], through: "r1.t1"))
        try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "A", text: "b")]))
        #expect(readText(store.cursorPath) == "r1.t1\n")
    }

    @Test func replacingTheWholeProfileKeepsTheOldOneAndJournalsTheAction() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let store = ProfileStore(profilePath: tmp.path + "/memory/profile.md")
        let recorder = ChangeRecorder(store: store)
        try recorder.replaceProfile(with: Array("## A\n- one\n".utf8), action: "load")
        let commit = try recorder.replaceProfile(with: Array(ProfileDocument.defaultText.utf8), action: "clear")
        #expect(readText(store.profilePath) == ProfileDocument.defaultText)
        #expect(mode(store.profilePath) == 0o600)
        #expect(commit.previous != nil)
        #expect(readText(store.historyDirectory + "/" + commit.previous!) == "## A\n- one\n")
        let entries = try journalEntries(store)
        #expect(entries.map { $0["action"] } == [.string("load"), .string("clear")])
        #expect(entries[0]["previous"] == .null)
        #expect(entries[1]["previous"] == .string(commit.previous!))
        #expect(!FileManager.default.fileExists(atPath: store.cursorPath))
    }

    @Test func historyKeepsAtMost200VersionsDroppingTheOldest() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let store = ProfileStore(profilePath: tmp.path + "/memory/profile.md")
        let recorder = ChangeRecorder(store: store)
        try recorder.replaceProfile(with: Array("## A\n".utf8), action: "load")
        for n in 1...205 {
            _ = FileManager.default.createFile(atPath: store.historyDirectory + "/profile-20200101T000000Z-\(n).md", contents: Data("old \(n)".utf8))
        }
        try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "A", text: "x")]))
        let versions = store.historyVersions()
        #expect(versions.count == ProfileStore.maxHistoryVersions)
        #expect(versions.first == "profile-20200101T000000Z-7.md")
        #expect(versions.contains("profile-20200101T000000Z-10.md"))
        #expect(!versions.contains("profile-20200101T000000Z-6.md"))
        #expect(versions.last?.hasPrefix("profile-2020") == false)
    }

    @Test func aFailedWriteLeavesTheOldProfileIntact() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path + "/memory"
        let store = ProfileStore(profilePath: dir + "/profile.md")
        let recorder = ChangeRecorder(store: store)
        try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "A", text: "kept")], through: "r0.t1"))
        let before = FileManager.default.contents(atPath: store.profilePath)
        if geteuid() == 0 {
            // root ignores a read-only directory: take every temp name the writer may use.
            for attempt in 0..<100 {
                _ = FileManager.default.createFile(atPath: "\(dir)/.profile.md.tmp-\(getpid())-\(attempt)", contents: nil)
            }
        } else {
            #expect(chmod(dir, 0o500) == 0)
        }
        #expect(throws: MemError.self) {
            try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "A", text: "lost")], through: "r0.t2"))
        }
        _ = chmod(dir, 0o700)
        #expect(FileManager.default.contents(atPath: store.profilePath) == before)
        #expect(readText(store.cursorPath) == "r0.t1\n")
        #expect(try journalEntries(store).count == 1)
    }

    @Test func aProfileChangedDuringTheMergeIsNotOverwritten() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let store = ProfileStore(profilePath: tmp.path + "/memory/profile.md")
        let recorder = ChangeRecorder(store: store)
        try recorder.replaceProfile(with: Array("## A\n- one\n".utf8), action: "load")
        let original = try store.loadBytes()
        let result = ProfileMerger.apply(Delta(ops: [DeltaOp(kind: .add, section: "A", text: "two")]),
                                         to: ProfileDocument(bytes: original!))
        try FileSystem.writeAtomically(store.profilePath, bytes: Array("## A\n- edited by hand\n".utf8))
        do {
            try store.commit(ProfileStore.Change(bytes: result.document.bytes, original: original, cursor: "r9.t9",
                                                 fields: [("action", .string("update"))]))
            Issue.record("the commit overwrote a profile edited meanwhile")
        } catch {
            #expect(error.status == .tempFailure)
        }
        #expect(readText(store.profilePath) == "## A\n- edited by hand\n")
        #expect(!FileManager.default.fileExists(atPath: store.cursorPath))
    }

    @Test func anInvalidProfileIsRefusedAndLeftAlone() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let store = ProfileStore(profilePath: tmp.path + "/profile.md")
        let recorder = ChangeRecorder(store: store)
        let bad: [UInt8] = Array("## A\n- x".utf8) + [0x00, 0xFF]
        _ = FileManager.default.createFile(atPath: store.profilePath, contents: Data(bad))
        do {
            try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "A", text: "y")]))
            Issue.record("an invalid profile was merged")
        } catch {
            #expect(error.status == .dataError)
        }
        #expect(FileManager.default.contents(atPath: store.profilePath) == Data(bad))
    }

    @Test func aProfileOutsideTheMemoryDirKeepsItsDirectorysMode() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        #expect(chmod(tmp.path, 0o755) == 0)
        let store = ProfileStore(profilePath: tmp.path + "/notes.md")
        let recorder = ChangeRecorder(store: store)
        try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "A", text: "y")], through: "r0.t1"))
        #expect(mode(tmp.path) == 0o755)
        #expect(mode(store.historyDirectory) == 0o700)
        #expect(mode(store.profilePath) == 0o600)
    }
}
