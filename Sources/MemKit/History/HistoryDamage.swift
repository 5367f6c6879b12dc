/// A history that can no longer say where the profile's bullets came from: the journal is
/// missing though changes were journalled here, or some of its lines cannot be read.
///
/// Without this check a missing journal reads as "nothing recorded", so every bullet
/// the models learned looked like one unrecorded hand edit — which the next commit would
/// journal as such and `undo` would take back, emptying the profile. A damaged history
/// therefore stops every change (mem-merge and mem-history's undo and forget refuse, with
/// this one line) and synthesises no hand edit; `log`, `why` and `blame` still show what
/// the readable part says, with the line as a note.
///
/// A journal never kept is not damage: a profile written by hand before anything was
/// journalled is a legitimate first hand edit. What tells the two apart is what only a
/// commit leaves: the `history-started` marker beside the profile (written once, after
/// the first journal line; `ProfileStore.historyStartedPath`) or the provenance cache. (The cursor is no evidence: the porcelain may set
/// it before anything is journalled.)
public struct HistoryDamage: Sendable {
    /// What is missing or broken, in a few words.
    public var what: String
    /// How to get a history back.
    public var repair: String
    public var status: ExitStatus
    /// Only the journal is missing: replacing the whole profile (load, edit, clear) may
    /// start a new history, as `repair` says.
    public var journalMissing: Bool

    /// The line a change refuses with.
    public var error: MemError {
        MemError(status, "the profile's history is damaged: \(what); nothing was changed. \(repair)")
    }

    /// The note `log`, `why` and `blame` give before what they can still show.
    public var note: String {
        "the profile's history is damaged: \(what); shown is what the rest of it says. \(repair)"
    }

    /// The damage in `store`'s history, if any: `unreadable` are the journal lines that
    /// could not be read (`ProvenanceCache.load`).
    static func find(in store: ProfileStore, journalSize: Int, unreadable: [Int]) -> HistoryDamage? {
        let journal = "history/" + FileSystem.baseName(store.journalPath)
        if !unreadable.isEmpty {
            let lines = unreadable.prefix(5).map(String.init).joined(separator: ", ") + (unreadable.count > 5 ? ", …" : "")
            return HistoryDamage(
                what: "\(journal) line\(unreadable.count == 1 ? "" : "s") \(lines) cannot be read (not a JSON object)",
                repair: "Restore \(store.journalPath) from a backup, or delete the line\(unreadable.count == 1 ? "" : "s") (that change then has no history).",
                status: .dataError, journalMissing: false)
        }
        guard journalSize == 0 else { return nil }
        var evidence: [String] = []
        if FileSystem.exists(store.historyStartedPath) { evidence.append("\(FileSystem.baseName(store.historyStartedPath)) says changes were journalled") }
        // Not the saved copies of the profile: the first change ever saves one before its
        // journal line, so a kill in between would read as damage for good (and a name in
        // history/ proves nothing: anyone can put one there).
        if FileSystem.exists(ProvenanceCache(store: store).path) { evidence.append("history/provenance.json is there") }
        guard !evidence.isEmpty else { return nil }
        return HistoryDamage(
            what: "\(journal) is \(FileSystem.exists(store.journalPath) ? "empty" : "missing"), yet \(evidence.joined(separator: " and "))",
            repair: "Put history/ back (from where it was moved, or a backup); or start a new history from the profile as it is: llm memory load \(store.profilePath)",
            status: .noInput, journalMissing: true)
    }
}
