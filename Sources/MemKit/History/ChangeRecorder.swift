/// Every change to the profile, recorded with its provenance inside `ProfileStore`'s
/// commit protocol — what mem-merge calls, and nothing else writes the profile, the
/// journal or the cursor.
///
/// Each commit's journal line (see `ProfileStore.commit`) gets `action`, the bullet
/// `changes` it made (`BulletDiff` of the profile before and after), and for an update
/// or backfill the `exchanges` those changes came from, as the delta described them —
/// all in the one line that lands with the profile or not at all, so after a kill -9
/// anywhere the journal and the profile agree (the provenance cache is rebuilt from the
/// journal, never trusted over it).
///
/// Before each commit, and in `recover()`, a hand edit (the profile's bytes are not what
/// the last line's `sha256` says) is journalled first as a change of its own, `hand-edit`,
/// with its bullet changes against the bullets the journal last recorded: nothing written
/// by hand is ever attributed to a model.
public struct ChangeRecorder: Sendable {
    public var store: ProfileStore

    public init(store: ProfileStore) {
        self.store = store
    }

    public init(profilePath: String) {
        self.init(store: ProfileStore(profilePath: profilePath))
    }

    public var forgottenList: TextListFile { .forgotten(inDirectory: store.directory) }
    public var undoneList: TextListFile { .undone(inDirectory: store.directory) }

    /// What `recover()` did: the store's recovery, the hand edit it journalled (if any),
    /// and lines for stderr about an unreadable journal.
    public struct Recovered: Sendable {
        public var recovery: ProfileStore.Recovery
        public var handEdit: JournalEntry?
        public var notes: [String]
        /// Why a hand edit could not be journalled, if so.
        public var handEditProblem: String?
        /// A damaged history, which no commit may touch until it is repaired.
        public var damage: HistoryDamage?
    }

    /// Finishes or drops an interrupted commit (`ProfileStore.recover`), then journals a
    /// hand edit found since the last change. Failing to journal the hand edit (a
    /// read-only memory dir, a full disk) is not a failed recovery: it is said in `handEditProblem`,
    /// and the next commit, which records it first, fails with that error itself.
    @discardableResult
    public func recover() throws(MemError) -> Recovered {
        let recovery = try store.recover()
        do {
            let (_, handEdit, notes) = try recordedState()
            return Recovered(recovery: recovery, handEdit: handEdit, notes: notes)
        } catch {
            let damage = (try? HistoryState.load(store))?.damage
            return Recovered(recovery: recovery, handEdit: nil, notes: [],
                             handEditProblem: damage != nil ? error.message : "a hand edit of the profile could not be recorded yet: \(error.message)",
                             damage: damage)
        }
    }

    /// Applies `delta` to the profile (or the default one) and commits it.
    @discardableResult
    public func mergeInPlace(_ delta: Delta) throws(MemError) -> MergeResult {
        try store.prepareDirectories()
        _ = try store.recover()
        // A profile mem-merge would refuse stops the merge before anything is journalled.
        _ = try store.loadBytes()
        var (provenance, _, _) = try recordedState()
        if let undoes = delta.undoes, undoes > provenance.lastID {
            throw MemError(.dataError, "the delta undoes change #\(undoes), which the journal does not have (the last is #\(provenance.lastID))")
        }
        let original = try store.loadBytes()
        let document = original.map { ProfileDocument(bytes: $0) } ?? .default
        let policy = MergePolicy(forgotten: try forgottenList.entries(), provenance: provenance, delta: delta)
        let result = ProfileMerger.apply(delta, to: document, veto: policy.veto)

        // The lists an undo or a forget changes are part of the commit (`ListChange`):
        // written with it, or not at all.
        let unforget = try forgottenList.entries().filter { entry in delta.unforget.contains { $0.singleLine() == entry } }
        var lists: [ProfileStore.ListChange] = []
        if !delta.forget.isEmpty || !unforget.isEmpty {
            lists.append(.init(list: forgottenList, add: delta.forget.map { $0.singleLine() }, remove: unforget))
        }
        if !delta.undoneSources.isEmpty { lists.append(.init(list: undoneList, add: delta.undoneSources)) }

        let applied = result.applied.map(\.op)
        var changes = BulletDiff.changes(from: document.profileBullets, to: result.document.profileBullets,
                                         pairing: .ops(applied))
        let learned = delta.action == .update || delta.action == .backfill
        if learned { changes = ChangeRecorder.attribute(changes, to: applied, delta: delta) }
        let cited = Set(changes.flatMap(\.sources))
        var fields: [(String, JSONValue)] = [("action", .string(delta.action.rawValue))]
        if let undoes = delta.undoes { fields.append(("undoes", .number(Double(undoes)))) }
        fields.append(("changes", .array(changes.map(\.json))))
        if learned { fields.append(("exchanges", .array(delta.exchanges.filter { cited.contains($0.id) }.map(\.json)))) }
        fields.append(("applied", .array(result.outcomes.filter(\.applied).map { outcome in
            guard case var .object(pairs) = outcome.op.json else { return outcome.op.json }
            pairs.append(("effect", .string(outcome.detail)))
            return .object(pairs)
        })))
        fields.append(("skipped", .array(result.skipped.map { .object([("op", $0.op.json), ("reason", .string($0.detail))]) })))
        fields.append(("sources", .array(delta.sources.map { .string($0) })))
        fields.append(("through", delta.through.map { .string($0) } ?? .null))
        fields.append(("model", delta.model.map { .string($0) } ?? .null))
        if !delta.forget.isEmpty { fields.append(("forget", .array(delta.forget.map { .string($0.singleLine()) }))) }
        if !unforget.isEmpty { fields.append(("unforget", .array(unforget.map { .string($0) }))) }
        if !delta.undoneSources.isEmpty { fields.append(("undone_sources", .array(delta.undoneSources.map { .string($0) }))) }

        let newBytes = result.document.bytes
        let write = original.map { $0 != newBytes } ?? result.changed
        var change = ProfileStore.Change(bytes: write ? newBytes : nil, original: original, cursor: delta.through,
                                         fields: fields, lists: lists)
        // A backfill reads what lies before memory's start: it moves its own cursor, never
        // the live updates'.
        if delta.action == .backfill { change.cursorFile = ProfileStore.backfillCursorFile }
        let commit = try store.commit(change)
        record(commit, onto: &provenance, leaving: result.document)
        return result
    }

    /// What `mergeInPlace` would do, without writing anything (mem-merge without --in-place).
    public func preview(_ delta: Delta) throws(MemError) -> MergeResult {
        let original = try store.loadBytes()
        let document = original.map { ProfileDocument(bytes: $0) } ?? .default
        let state = try HistoryState.load(store)
        let policy = MergePolicy(forgotten: try forgottenList.entries(), provenance: state.current, delta: delta)
        return ProfileMerger.apply(delta, to: document, veto: policy.veto)
    }

    /// Replaces the whole profile with `bytes` (load, edit, clear), keeping the old bytes
    /// in the history; the cursor is not touched.
    @discardableResult
    public func replaceProfile(with bytes: [UInt8], action: String) throws(MemError) -> ProfileStore.CommitResult {
        try store.prepareDirectories()
        _ = try store.recover()
        var (provenance, _, _) = try recordedState(startingOver: true)
        let current = try FileSystem.readIfPresent(store.profilePath, limit: 16 << 20)
        let before = current.map { ProfileDocument(bytes: $0) } ?? ProfileDocument(bytes: [])
        let after = ProfileDocument(bytes: bytes)
        let changes = BulletDiff.changes(from: before.profileBullets, to: after.profileBullets, pairing: .position)
        let commit = try store.commit(ProfileStore.Change(
            bytes: bytes, original: current,
            fields: [("action", .string(action)), ("changes", .array(changes.map(\.json)))]))
        record(commit, onto: &provenance, leaving: commit.wroteProfile ? after : before)
        return commit
    }

    // MARK: - Steps

    /// The recorded provenance, after journalling a hand edit if there is one. A damaged
    /// history (`HistoryDamage`) refuses every change — except, with `startingOver`, a
    /// whole-profile replacement over a missing journal, which starts a new history.
    private func recordedState(startingOver: Bool = false) throws(MemError) -> (Provenance, JournalEntry?, [String]) {
        let state = try HistoryState.load(store)
        if let damage = state.damage, !(startingOver && damage.journalMissing) { throw damage.error }
        var provenance = state.recorded
        guard var handEdit = state.handEdit, let changes = handEdit.changes else { return (provenance, nil, state.notes) }
        let commit = try store.commit(ProfileStore.Change(
            bytes: nil, original: state.profileBytes, time: handEdit.time,
            fields: [("action", .string(handEdit.actionName)), ("changes", .array(changes.map(\.json)))]))
        handEdit.id = commit.id
        handEdit.recorded = true
        record(commit, onto: &provenance, leaving: state.document)
        return (provenance, handEdit, state.notes)
    }

    /// Brings the provenance past the line just committed and saves the cache.
    private func record(_ commit: ProfileStore.CommitResult, onto provenance: inout Provenance, leaving document: ProfileDocument) {
        guard let entry = JournalEntry(json: commit.entry, number: nil) else { return }
        provenance.apply(entry)
        provenance.align(to: document.profileBullets)
        ProvenanceCache(store: store).save(provenance, journalSize: JournalFile(path: store.journalPath).size)
    }

    /// Which exchanges each learned change came from: the `source` of the applied op that
    /// made it (an op citing none: the exchanges the delta lists as sent to the model).
    static func attribute(_ changes: [BulletChange], to ops: [DeltaOp], delta: Delta) -> [BulletChange] {
        let fallback = delta.exchanges.map(\.id)
        return changes.map { change in
            var change = change
            let key = ProfileDocument.sectionKey(change.section)
            let op = ops.first { op in
                guard ProfileDocument.sectionKey(op.section) == key else { return false }
                let newText: String? = { if case let .success(t) = ProfileMerger.cleanText(op.text) { return t }; return nil }()
                switch change.kind {
                case .add, .replace:
                    return op.kind != .remove && newText.map { BulletMatcher.matches($0, change.text ?? "") } == true
                case .remove:
                    return op.kind != .add && BulletMatcher(ProfileMerger.cleanedOld(op.old)).matches(change.old ?? "")
                }
            }
            change.sources = op?.source.map { [$0] } ?? fallback
            return change
        }
    }
}
