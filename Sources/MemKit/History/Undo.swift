/// `mem-history undo [ID]`: the delta that takes a change back, for `mem-merge --in-place`
/// to apply and journal as a change of its own (`action` "undo", `undoes` ID).
///
/// What the change added is removed, what it replaced is put back, what it removed is
/// added again (in reverse order); a forget's texts come off the forgotten list again,
/// and an unforget's go back on. For an update or backfill, its exchanges go to the
/// `undone` list (`undone_sources`), which a backfill honours; live updates never read
/// them again anyway (the cursor is past them).
///
/// If a later change touched the same bullets (a text it added, removed or reworded, in
/// the same section), the undo is refused naming those changes, unless `force`.
public enum Undo {
    public static func delta(_ state: HistoryState, id: Int?, force: Bool) throws(MemError) -> (delta: Delta, summary: String) {
        if let damage = state.damage { throw damage.error }
        let newest = state.newestID
        guard newest > 0 else {
            throw MemError(.noInput, "nothing to undo: \(state.store.journalPath) records no change yet")
        }
        let targetID = id ?? newest
        guard targetID >= 1, targetID <= newest, let target = try state.change(targetID) else {
            throw MemError(.dataError, "there is no change \(targetID) (the changes are 1 to \(newest); `llm memory log` lists them)")
        }
        guard let changes = target.changes else {
            let previous = target.previous.map { " Its previous profile is history/\($0) (llm memory load can restore it)." } ?? ""
            throw MemError(.dataError, "change \(targetID) (\(target.actionName)) predates bullet-level history: the bullets it changed were not recorded, so it cannot be undone.\(previous)")
        }
        if changes.isEmpty, target.forget.isEmpty, target.unforget.isEmpty {
            throw MemError(.refused, "change \(targetID) (\(target.actionName)) changed nothing that can be undone")
        }
        let later = try state.changes(from: targetID + 1)
        let conflicts = later.filter { touches($0, changes) }
        if !conflicts.isEmpty, !force {
            let list = conflicts.map { "\($0.id) (\(HistoryText.action($0)))" }.joined(separator: ", ")
            throw MemError(.refused, "a later change touched the same bullets: change\(conflicts.count == 1 ? "" : "s") \(list); nothing undone (--force undoes it anyway)")
        }
        var delta = Delta(ops: changes.reversed().map { op(for: $0.inverse) }, action: .undo)
        delta.undoes = targetID
        delta.forget = target.unforget
        delta.unforget = target.forget
        if target.isLearned { delta.undoneSources = target.changeSources.isEmpty ? target.sources : target.changeSources }
        let summary = "undo of change \(targetID) (\(HistoryText.action(target))): \(delta.ops.count) bullet change\(delta.ops.count == 1 ? "" : "s") taken back"
            + (conflicts.isEmpty ? "" : "; forced past change\(conflicts.count == 1 ? "" : "s") \(conflicts.map { String($0.id) }.joined(separator: ", "))")
        return (delta, summary)
    }

    /// Whether `entry` changed a bullet `changes` touched (same section, same text).
    static func touches(_ entry: JournalEntry, _ changes: [BulletChange]) -> Bool {
        for later in entry.changes ?? [] {
            let key = ProfileDocument.sectionKey(later.section)
            for change in changes where ProfileDocument.sectionKey(change.section) == key {
                if later.texts.contains(where: { text in change.texts.contains { BulletMatcher.matches($0, text) } }) { return true }
            }
        }
        return false
    }

    static func op(for change: BulletChange) -> DeltaOp {
        switch change.kind {
        case .add: return DeltaOp(kind: .add, section: change.section, text: change.text)
        case .replace: return DeltaOp(kind: .replace, section: change.section, text: change.text, old: change.old)
        case .remove: return DeltaOp(kind: .remove, section: change.section, old: change.old)
        }
    }
}

/// `mem-history forget`: the forgotten list (`TextListFile.forgotten`) and the deltas that
/// change it, for `mem-merge --in-place` (the only writer).
public enum Forget {
    /// `forget TEXT`: removes the bullets TEXT names now (`BulletQuery`; several only
    /// with `all`) and puts TEXT on the forgotten list. Naming no bullet is refused (a
    /// typo would otherwise be kept out for good and the bullet stay): with `anyway`,
    /// TEXT is then only kept from being learned.
    public static func delta(_ text: String, in state: HistoryState, all: Bool,
                             anyway: Bool = false) throws(MemError) -> (delta: Delta, summary: String) {
        if let damage = state.damage { throw damage.error }
        let clean = text.singleLine()
        guard !BulletMatcher.normalize(clean).isEmpty else {
            throw MemError(.usage, "nothing to forget in '\(text)': give the words of a bullet")
        }
        let bullets = BulletQuery(clean).select(state.document.profileBullets, text: \.text)
        if bullets.isEmpty, !anyway {
            throw MemError(.refused, "no bullet matches '\(clean)'; `llm memory show` lists them; `llm memory forget --anyway '\(clean)'` keeps it from being learned all the same")
        }
        if bullets.count > 1, !all { throw several(bullets.map(describe), what: clean, verb: "forgotten") }
        var delta = Delta(ops: bullets.map { DeltaOp(kind: .remove, section: $0.section, old: $0.text) }, action: .forget)
        delta.forget = [clean]
        let summary = bullets.isEmpty
            ? "no bullet says '\(clean)' now; it will not be learned from now on"
            : "removes \(bullets.map { "'\($0.text)'" }.joined(separator: ", ")) and keeps '\(clean)' from being learned again"
        return (delta, summary)
    }

    /// `forget --undo TEXT`: takes the entries TEXT names off the list (a bullet removed by
    /// the forget stays removed: `undo` of that change brings it back).
    public static func unforgetDelta(_ text: String, list: TextListFile, all: Bool) throws(MemError) -> (delta: Delta, summary: String) {
        let entries = try list.entries()
        let clean = text.singleLine()
        var named = entries.filter { $0 == clean }
        if named.isEmpty { named = BulletQuery(clean).select(entries, text: { $0 }) }
        guard !named.isEmpty else {
            throw MemError(.refused, "'\(clean)' is not on the forgotten list (\(list.path)); `llm memory forget --list` shows it")
        }
        if named.count > 1, !all { throw several(named, what: clean, verb: "let back") }
        var delta = Delta(ops: [], action: .forget)
        delta.unforget = named
        return (delta, "may learn again: " + named.map { "'\($0)'" }.joined(separator: ", "))
    }

    static func describe(_ bullet: ProfileBullet) -> String {
        bullet.section.isEmpty ? bullet.text : bullet.section + ": " + bullet.text
    }

    static func several(_ items: [String], what: String, verb: String) -> MemError {
        MemError(.refused, "\(items.count) match '\(what)': " + items.map { "'\($0)'" }.joined(separator: ", ")
                    + "; nothing \(verb) (give more of the text, or --all)")
    }
}
