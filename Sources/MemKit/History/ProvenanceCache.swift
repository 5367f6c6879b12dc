/// `history/provenance.json`: the `Provenance` of the journal up to a byte offset, so
/// that `why`, `blame` and a commit need not replay a year of journal lines each time.
///
/// `{"version": 1, "journal_size": <bytes of the journal it covers>, "last_id", "sha256",
/// "knows_hash", "bullets": [{"section", "text", "events": [{"change", "action", "kind",
/// "time", "text", "model", "exchanges"}]}]}`
///
/// Derived and disposable: mem-merge rewrites it (atomically) after each commit, but a
/// commit killed before that leaves it behind the journal, and anything can delete it.
/// Reading it checks it against the journal: the lines after `journal_size` are replayed
/// (their first must follow `last_id`); anything that does not fit — a missing or
/// unreadable file, a journal shorter than it says, an id out of step — and the whole
/// journal is replayed instead. So it can be stale, never wrong.
public struct ProvenanceCache: Sendable {
    public let store: ProfileStore

    public init(store: ProfileStore) {
        self.store = store
    }

    public var path: String { store.historyDirectory + "/provenance.json" }
    static let version = 1

    /// The provenance of the whole journal as it is now, the journal's size it covers, and
    /// the numbers of the journal lines that could not be read (and were skipped) — a
    /// damaged journal (`HistoryDamage`).
    public func load() throws(MemError) -> (provenance: Provenance, journalSize: Int, unreadable: [Int]) {
        let journal = JournalFile(path: store.journalPath)
        let size = journal.size
        var unreadable: [Int] = []
        if let (cached, covered) = read(), covered <= size {
            if covered == size { return (cached, size, []) }
            if let brought = try replay(onto: cached, from: covered, journal: journal, unreadable: &unreadable) {
                return (brought, journal.size, unreadable)
            }
            unreadable = []
        }
        let rebuilt = try replay(onto: Provenance(), from: 0, journal: journal, unreadable: &unreadable) ?? Provenance()
        return (rebuilt, journal.size, unreadable)
    }

    /// The whole journal replayed, the cache left aside (what the cache must always equal).
    func replayed() throws(MemError) -> Provenance {
        var unreadable: [Int] = []
        return try replay(onto: Provenance(), from: 0, journal: JournalFile(path: store.journalPath), unreadable: &unreadable) ?? Provenance()
    }

    /// Writes the cache; a failure is ignored (the next reader replays the journal).
    public func save(_ provenance: Provenance, journalSize: Int) {
        guard case var .object(pairs) = provenance.json else { return }
        pairs.insert(("journal_size", .number(Double(journalSize))), at: 0)
        pairs.insert(("version", .number(Double(ProvenanceCache.version))), at: 0)
        try? FileSystem.writeAtomically(path, bytes: Array((JSONValue.object(pairs).serialized() + "\n").utf8), mode: 0o600)
    }

    private func read() -> (Provenance, Int)? {
        guard let bytes = try? FileSystem.readIfPresent(path, limit: 64 << 20),
              let value = try? JSONParser.parse(bytes),
              case let .number(version)? = value["version"], Int(version) == ProvenanceCache.version,
              case let .number(covered)? = value["journal_size"], covered >= 0,
              let provenance = Provenance(json: value) else { return nil }
        return (provenance, Int(covered))
    }

    /// The lines from byte `offset` applied onto `start`; nil when they do not follow it.
    private func replay(onto start: Provenance, from offset: Int, journal: JournalFile,
                        unreadable: inout [Int]) throws(MemError) -> Provenance? {
        // Line numbers only matter for lines without ids (written before ids were).
        let firstNumber = start.lastID + 1
        let lines = try journal.lines(from: offset, firstNumber: firstNumber)
        if offset > 0, let bytes = try FileSystem.readIfPresent(store.journalPath, limit: 1 << 30),
           offset > bytes.count || bytes[offset - 1] != 0x0A { return nil }
        var entries: [JournalEntry] = []
        for line in lines {
            guard let entry = JournalEntry(line: line.bytes, number: line.number) else {
                unreadable.append(line.number ?? 0)
                continue
            }
            entries.append(entry)
        }
        if offset > 0, let first = entries.first, first.id != start.lastID + 1 { return nil }
        var provenance = start
        for (i, entry) in entries.enumerated() {
            provenance.apply(entry, replacedWith: entry.changes == nil ? legacyResult(of: i, in: entries) : nil)
        }
        return provenance
    }

    /// What an old whole-profile line (load, edit) left, which it did not record: the
    /// next line's `previous` (the bytes that line replaced) if that history file is still
    /// kept, or for the last line the profile as it is.
    private func legacyResult(of index: Int, in entries: [JournalEntry]) -> [ProfileBullet]? {
        let path: String
        if index + 1 < entries.count {
            guard let name = entries[index + 1].previous, !name.contains("/") else { return nil }
            path = store.historyDirectory + "/" + name
        } else {
            path = store.profilePath
        }
        guard let bytes = try? FileSystem.readIfPresent(path, limit: 16 << 20) else { return nil }
        return ProfileDocument(bytes: bytes).profileBullets
    }
}

/// The history as a command finds it: the provenance of every recorded change, and a hand
/// edit not yet recorded — the profile's bytes differ from what the last change left (its
/// `sha256`; for a journal from before hashes were recorded, its bullets differ).
///
/// A commit interrupted after it wrote the profile (its `pending` record names the
/// profile's hash) counts as recorded, as the next `mem-merge` will complete it. Reading
/// takes no lock and writes nothing: a hand edit is journalled by mem-merge, at its next
/// commit or `--recover`; until then `log` shows it as not yet recorded, with the id it
/// will get.
public struct HistoryState: Sendable {
    public let store: ProfileStore
    /// The recorded changes' provenance.
    public var recorded: Provenance
    /// The journal's size that `recorded` covers.
    public var journalSize: Int
    /// The profile as it is (nil: no profile file).
    public var profileBytes: [UInt8]?
    public var document: ProfileDocument
    /// `document.profileBullets`, listed once (not free on a long profile).
    public var bullets: [ProfileBullet]
    /// A hand edit found and not yet journalled, as the line it will be.
    public var handEdit: JournalEntry?
    /// Lines for stderr: what is damaged (`damage.note`).
    public var notes: [String]
    /// A missing or unreadable journal (`HistoryDamage`): no change may be made, and no
    /// hand edit is made up from a history that cannot be read.
    public var damage: HistoryDamage?
    /// An interrupted commit that wrote the profile and not yet its journal line (the next
    /// mem-merge completes it): counted as recorded.
    public var pending: JournalEntry?

    /// The provenance of the profile as it is: `recorded` plus the hand edit.
    public var current: Provenance {
        var provenance = recorded
        if let handEdit {
            provenance.apply(handEdit)
            provenance.align(to: bullets)
        }
        return provenance
    }

    public static func load(_ store: ProfileStore) throws(MemError) -> HistoryState {
        var (provenance, size, unreadable) = try ProvenanceCache(store: store).load()
        let damage = HistoryDamage.find(in: store, journalSize: size, unreadable: unreadable)
        let bytes = try FileSystem.readIfPresent(store.profilePath, limit: 16 << 20)
        let hash = bytes.map(SHA256.hex)
        var pendingEntry: JournalEntry?
        if let pending = try? FileSystem.readIfPresent(store.pendingPath, limit: 32 << 20),
           let record = try? JSONParser.parse(pending), record["sha256"]?.stringValue == hash,
           let value = record["entry"], let entry = JournalEntry(json: value, number: nil), entry.id > provenance.lastID {
            provenance.apply(entry)
            pendingEntry = entry
        }
        let document = bytes.map { ProfileDocument(bytes: $0) } ?? ProfileDocument(bytes: [])
        let bullets = document.profileBullets
        var state = HistoryState(store: store, recorded: provenance, journalSize: size, profileBytes: bytes,
                                 document: document, bullets: bullets, handEdit: nil, notes: damage.map { [$0.note] } ?? [],
                                 damage: damage, pending: pendingEntry)
        let changes = BulletDiff.changes(from: provenance.bullets, to: bullets, pairing: .position)
        let edited = provenance.knowsHash ? hash != provenance.sha256 : !changes.isEmpty
        if edited, damage == nil {
            let mtime = FileSystem.modificationTime(store.profilePath).map { Timestamp.iso8601(Int($0)) } ?? Timestamp.nowISO8601()
            var entry = JournalEntry(id: provenance.lastID + 1, time: mtime, action: .handEdit, changes: changes, recorded: false)
            entry.sha256 = hash
            state.handEdit = entry
        }
        return state
    }
}
