extension HistoryState {
    /// The id of the newest change, recorded or not (0: none).
    public var newestID: Int { handEdit?.id ?? recorded.lastID }

    /// The newest `count` changes, newest first: a hand edit not yet recorded, an
    /// interrupted commit that wrote the profile, then the journal's last lines (read from
    /// the end of the file).
    public func newest(_ count: Int) throws(MemError) -> [JournalEntry] {
        var result: [JournalEntry] = []
        if let handEdit { result.append(handEdit) }
        if let pending { result.append(pending) }
        let wanted = count - result.count
        if wanted > 0 { result += try journalEntries(last: wanted).reversed() }
        return Array(result.prefix(max(0, count)))
    }

    /// Every change from id `first` on, oldest first (recorded ones, then the pending one
    /// and the hand edit).
    public func changes(from first: Int) throws(MemError) -> [JournalEntry] {
        let wanted = max(1, recorded.lastID - first + 1)
        var entries = try journalEntries(last: wanted)
        // Ids are line numbers unless someone edited the journal: then read it all.
        if let oldest = entries.first, oldest.id > first, entries.count == wanted {
            entries = try journalEntries(last: Int.max)
        }
        var result = entries.filter { $0.id >= first }
        if let pending, pending.id >= first { result.append(pending) }
        if let handEdit, handEdit.id >= first { result.append(handEdit) }
        return result
    }

    /// The change with id `id`, recorded or not; nil when there is none.
    public func change(_ id: Int) throws(MemError) -> JournalEntry? {
        try changes(from: id).first { $0.id == id }
    }

    /// The journal's last `count` lines as entries, oldest first (unreadable lines left out).
    func journalEntries(last count: Int) throws(MemError) -> [JournalEntry] {
        let journal = JournalFile(path: store.journalPath)
        var lines = count == Int.max ? try journal.lines() : try journal.lastLines(count)
        func parsed() -> [(JournalFile.Line, JSONValue)] {
            lines.compactMap { line in (try? JSONParser.parse(line.bytes)).map { (line, $0) } }
        }
        var values = parsed()
        if values.contains(where: { $0.1["id"] == nil }), lines.first?.number == nil {
            lines = try journal.lastLines(count, numbered: true)
            values = parsed()
        }
        return values.compactMap { JournalEntry(json: $0.1, number: $0.0.number) }
    }
}
