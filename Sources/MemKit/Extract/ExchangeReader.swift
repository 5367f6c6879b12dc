/// Reads logged exchanges from llm's `logs.db`, both schema generations at once, oldest
/// first, after a cursor, in short read transactions of a bounded number of rows.
///
/// llm ≤ 0.31 logs one row per call in `responses`; llm ≥ 0.32 logs a row in `turns` and
/// the text in a content-addressed message store (`messages`, `parts`). An upgraded
/// database keeps its old rows in `responses`, and an older llm sharing it keeps
/// appending there, so both tables are read and merged by time.
public final class ExchangeReader {
    let db: SQLiteDatabase
    /// Rows fetched per table per transaction: small enough that a transaction lasts
    /// milliseconds (llm waits at most 5 s for its write lock), large enough to amortise.
    let chunkSize: Int
    let hasTurns: Bool
    let hasResponses: Bool
    private let tables: Set<String>
    private let legacy: LegacySource?
    private let modern: MessageStoreSource?

    /// `windowed: false` reads every message by hash, and `windowSpan` narrows the
    /// window (the tests compare all ways).
    public init(database: SQLiteDatabase, chunkSize: Int = 200, windowed: Bool = true,
                windowSpan: Int? = nil) throws(MemError) {
        db = database
        self.chunkSize = chunkSize
        let tables = try database.readTransaction { () throws(MemError) in try database.tableNames() }
        self.tables = tables
        hasTurns = tables.isSuperset(of: ["turns", "messages", "parts"])
        hasResponses = tables.contains("responses")
        legacy = hasResponses ? try LegacySource(db: database) : nil
        modern = hasTurns ? try MessageStoreSource(db: database, windowed: windowed, windowSpan: windowSpan) : nil
    }

    /// Calls `emit` for each exchange after `cursor` (and, with `until`, at or before it:
    /// in each table, rowids up to its), oldest first, at most `limit`.
    /// The cursor handed with each exchange resumes right after it. Exchanges off the
    /// record (the `OffRecordMarker`, a stretch of `offRecord`, or a later exchange of a
    /// conversation that was) come with `skip` set and no text (`OffRecordFilter`); so do
    /// those whose id is in `undone` (`skip` "undone", their conversation unaffected).
    public func read(after cursor: Cursor, until: Cursor? = nil, limit: Int? = nil, offRecord: OffRecordStretches = .init(),
                     undone: Set<String> = [], emit: (Exchange) throws(MemError) -> Void) throws(MemError) {
        let filter = OffRecordFilter(stretches: offRecord)
        if cursor != .start {
            try db.readTransaction { () throws(MemError) in try filter.seed(db, tables: tables, before: cursor) }
        }
        var position = cursor
        var legacyBuffer: [(rowid: Int64, exchange: Exchange)] = []
        var modernBuffer: [(rowid: Int64, exchange: Exchange)] = []
        var legacyDone = legacy == nil
        var modernDone = modern == nil
        var legacyFetched = cursor.responsesRowid
        var modernFetched = cursor.turnsRowid
        var emitted = 0
        // An id in both tables would be one call logged twice; only a read that finds rows
        // in both (known at its first refill) can meet one, so only then are ids
        // remembered (100k of them cost a twentieth of a full read).
        var seen = Set<String>()
        var bothTables = false

        while true {
            if let limit, emitted >= limit { return }
            // Refill whichever buffer ran dry, both in one short transaction.
            let needLegacy = legacyBuffer.isEmpty && !legacyDone
            let needModern = modernBuffer.isEmpty && !modernDone
            if needLegacy || needModern {
                let want = min(chunkSize, limit.map { $0 - emitted } ?? chunkSize)
                try db.readTransaction { () throws(MemError) in
                    if needLegacy, let legacy {
                        legacyBuffer = try legacy.rows(after: legacyFetched, through: until?.responsesRowid ?? .max, limit: want)
                        if legacyBuffer.count < want { legacyDone = true }
                        if let last = legacyBuffer.last { legacyFetched = last.rowid }
                    }
                    if needModern, let modern {
                        modernBuffer = try modern.rows(after: modernFetched, through: until?.turnsRowid ?? .max, limit: want)
                        if modernBuffer.count < want { modernDone = true }
                        if let last = modernBuffer.last { modernFetched = last.rowid }
                    }
                }
                // Reverse only what was refilled: the other buffer is already reversed
                // and partly taken.
                if needLegacy { legacyBuffer.reverse() }
                if needModern { modernBuffer.reverse() }
                if !legacyBuffer.isEmpty && !modernBuffer.isEmpty { bothTables = true }
            }
            // Take the older head; a table whose buffer is empty but not finished must be
            // refilled before the other may go ahead of it.
            let takeLegacy: Bool
            switch (legacyBuffer.last, modernBuffer.last) {
            case (nil, nil):
                if legacyDone && modernDone { return }
                continue
            case (_?, nil):
                if !modernDone { continue }
                takeLegacy = true
            case (nil, _?):
                if !legacyDone { continue }
                takeLegacy = false
            case let (l?, m?):
                takeLegacy = ExchangeReader.sortKey(l.exchange.datetime) <= ExchangeReader.sortKey(m.exchange.datetime)
            }
            var next: Exchange
            if takeLegacy {
                let item = legacyBuffer.removeLast()
                position.responsesRowid = item.rowid
                next = item.exchange
                filter.apply(&next, table: .responses, rowid: item.rowid)
            } else {
                let item = modernBuffer.removeLast()
                position.turnsRowid = item.rowid
                next = item.exchange
                filter.apply(&next, table: .turns, rowid: item.rowid)
            }
            next.cursor = position.description
            if bothTables { guard seen.insert(next.id).inserted else { continue } }
            if !undone.isEmpty, next.skip == nil, undone.contains(next.id) { next.keepOffRecord(.undone) }
            try emit(next)
            emitted += 1
        }
    }

    /// The exchange llm logged under `id` (a turn id, or a legacy response id), read as
    /// `read` would give it (without its cursor); nil when the database does not have it.
    /// What `mem-history` uses to quote the user's words on demand.
    public func exchange(id: String) throws(MemError) -> Exchange? {
        try db.readTransaction { () throws(MemError) -> Exchange? in
            if let modern, let rowid = try db.prepare("SELECT rowid FROM turns WHERE id = ?")
                .query([.text(id)], { $0.int(0) }).first {
                return try modern.rows(after: rowid - 1, limit: 1).first(where: { $0.exchange.id == id })?.exchange
            }
            if let legacy, let rowid = try db.prepare("SELECT rowid FROM responses WHERE id = ?")
                .query([.text(id)], { $0.int(0) }).first {
                return try legacy.rows(after: rowid - 1, limit: 1).first(where: { $0.exchange.id == id })?.exchange
            }
            return nil
        }
    }

    /// The position of the newest exchange: the highest rowid of each table (0 for a
    /// table that is empty or missing). Reading after it gives only what is logged later.
    public func newest() throws(MemError) -> Cursor {
        try db.readTransaction { () throws(MemError) in
            func highest(_ table: String) throws(MemError) -> Int64 {
                try db.prepare("SELECT coalesce(max(rowid), 0) FROM \(table)").query([]) { $0.int(0) }.first ?? 0
            }
            return Cursor(responsesRowid: hasResponses ? try highest("responses") : 0,
                          turnsRowid: hasTurns ? try highest("turns") : 0)
        }
    }

    /// How many exchanges follow `cursor` (and, with `until`, are at or before it); a
    /// replaced turn counted once per row.
    public func count(after cursor: Cursor, until: Cursor? = nil) throws(MemError) -> Int {
        try db.readTransaction { () throws(MemError) in
            var total: Int64 = 0
            if hasResponses {
                total += try db.prepare("SELECT count(*) FROM responses WHERE rowid > ?1 AND rowid <= ?2")
                    .query([.int(cursor.responsesRowid), .int(until?.responsesRowid ?? .max)]) { $0.int(0) }.first ?? 0
            }
            if hasTurns {
                total += try db.prepare("SELECT count(*) FROM turns WHERE rowid > ?1 AND rowid <= ?2")
                    .query([.int(cursor.turnsRowid), .int(until?.turnsRowid ?? .max)]) { $0.int(0) }.first ?? 0
            }
            return Int(total)
        }
    }

    /// Where the newest `n` exchanges after `cursor` (up to `until`) begin: in each table,
    /// the row before its newest `n` (or the cursor, when fewer follow it). Reading from
    /// there gives every one of the newest `n` of both tables merged, and at most `n` more.
    public func start(ofLast n: Int, after cursor: Cursor, until: Cursor? = nil) throws(MemError) -> Cursor {
        try db.readTransaction { () throws(MemError) in
            var start = cursor
            if hasResponses {
                let rowid = try db.prepare("SELECT rowid FROM responses WHERE rowid > ?1 AND rowid <= ?3 ORDER BY rowid DESC LIMIT 1 OFFSET ?2")
                    .query([.int(cursor.responsesRowid), .int(Int64(n)), .int(until?.responsesRowid ?? .max)]) { $0.int(0) }.first
                if let rowid { start.responsesRowid = rowid }
            }
            if hasTurns {
                let rowid = try db.prepare("SELECT rowid FROM turns WHERE rowid > ?1 AND rowid <= ?3 ORDER BY rowid DESC LIMIT 1 OFFSET ?2")
                    .query([.int(cursor.turnsRowid), .int(Int64(n)), .int(until?.turnsRowid ?? .max)]) { $0.int(0) }.first
                if let rowid { start.turnsRowid = rowid }
            }
            return start
        }
    }

    /// llm 0.31 and 0.36 both store `isoformat()` times; normalise the date/time
    /// separator so a space-separated value compares correctly too.
    static func sortKey(_ datetime: String?) -> String {
        guard var value = datetime else { return "" }
        if value.utf8.count > 10 {
            let i = value.index(value.startIndex, offsetBy: 10)
            if value[i] == " " { value.replaceSubrange(i...i, with: "T") }
        }
        return value
    }
}
