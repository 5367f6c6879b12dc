import Foundation
@testable import MemKit
import TestKit

/// A scratch profile directory for the history tests, with the recorder that writes it
/// and shorthands for the deltas an update, an undo or a forget brings.
struct HistoryLab {
    let dir: String
    var recorder: ChangeRecorder

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        recorder = ChangeRecorder(profilePath: MemoryDirLayout(dir).profile)
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    var store: ProfileStore { recorder.store }

    func state() throws(MemError) -> HistoryState { try HistoryState.load(store) }

    func profile() -> String {
        FileManager.default.contents(atPath: store.profilePath).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    func writeProfile(_ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: store.profilePath))
    }

    /// The journal's lines, parsed.
    func journal() throws -> [JSONValue] {
        let text = FileManager.default.contents(atPath: store.journalPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    /// An update learning `ops` from one exchange `id` of `datetime`, saying `words`.
    @discardableResult
    func learn(_ ops: [DeltaOp], from id: String, at datetime: String, words: String = "",
               action: Delta.Action = .update) throws -> MergeResult {
        var delta = Delta(ops: ops.map { var op = $0; op.source = id; return op }, sources: [id], through: nil,
                          model: "test-model", action: action)
        delta.exchanges = [SourceExchange(id: id, datetime: datetime, model: "test-model", conversation: "c-" + id, words: words)]
        return try recorder.mergeInPlace(delta)
    }

    /// Applies the delta `mem-history undo` would print.
    @discardableResult
    func undo(_ id: Int? = nil, force: Bool = false) throws -> Delta {
        let (delta, _) = try Undo.delta(state(), id: id, force: force)
        try recorder.mergeInPlace(delta)
        return delta
    }

    /// Applies the delta `mem-history forget TEXT` would print.
    func forget(_ text: String, all: Bool = false, anyway: Bool = false) throws {
        try recorder.mergeInPlace(Forget.delta(text, in: state(), all: all, anyway: anyway).delta)
    }

    /// The texts of the profile's bullets, in order.
    func bullets() -> [String] {
        ProfileDocument(bytes: Array(profile().utf8)).profileBullets.map(\.text)
    }

    static func add(_ section: String, _ text: String) -> DeltaOp { DeltaOp(kind: .add, section: section, text: text) }
    static func replace(_ section: String, _ old: String, _ text: String) -> DeltaOp {
        DeltaOp(kind: .replace, section: section, text: text, old: old)
    }
    static func remove(_ section: String, _ old: String) -> DeltaOp { DeltaOp(kind: .remove, section: section, old: old) }
}
