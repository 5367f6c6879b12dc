/// Which part of the history before memory's start a backfill is asked to read:
/// everything (the default), what was logged since a date (`--since`), or the newest N
/// exchanges (`--last`). Resolved against logs.db to the cursor the range starts after;
/// it always ends at the origin.
public enum BackfillRange: Equatable, Sendable {
    case all
    /// `YYYY-MM-DD`, or a UTC time `YYYY-MM-DDTHH:MM:SS` (llm's `datetime_utc` is UTC).
    case since(String)
    case last(Int)

    /// Checks a `--since` value: a date, or a date and time, in llm's UTC.
    public static func since(parsing text: String) throws(MemError) -> BackfillRange {
        let value = text.trimmingWhitespace()
        let bytes = Array(value.utf8)
        let digit = { (b: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
        let dateShaped = bytes.count >= 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
            && [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { digit(bytes[$0]) }
        let number = { (at: Int) in Int(bytes[at] - UInt8(ascii: "0")) * 10 + Int(bytes[at + 1] - UInt8(ascii: "0")) }
        guard dateShaped, (1...12).contains(number(5)), (1...31).contains(number(8)),
              bytes.count == 10 || OffRecordStretches.instant(value) != nil else {
            throw MemError(.usage, "--since takes a date like 2025-06-01 (or 2025-06-01T09:00:00, UTC), not '\(text)'")
        }
        // To the second: what the range compares with llm's `datetime_utc` (its first 19).
        return .since(bytes.count == 10 ? value : OffRecordStretches.instant(value).map { String($0.prefix(19)) } ?? value)
    }

    /// The cursor the range starts after: `r0.t0` for everything; for `since`, in each
    /// table the row before the first one logged at or after that time (none: the
    /// origin's); for `last`, the row before the first of the newest N exchanges through
    /// the origin, merged by time as mem-extract merges the two tables.
    func start(in reader: ExchangeReader, origin: Cursor) throws(MemError) -> Cursor {
        switch self {
        case .all:
            return .start
        case let .since(time):
            return try reader.db.readTransaction { () throws(MemError) in
                var start = origin
                for table in LogTable.allCases where reader.has(table) {
                    let first = try reader.db.prepare("""
                        SELECT min(rowid) FROM \(table.name)
                         WHERE rowid <= ?1 AND replace(substr(datetime_utc, 1, 19), ' ', 'T') >= ?2
                        """).query([.int(table.rowid(in: origin)), .text(time)]) { $0.isNull(0) ? nil : $0.int(0) }.first ?? nil
                    if let first { start.set(table, first - 1) }
                }
                return start
            }
        case let .last(n):
            // The newest n rows of each table hold the newest n of both merged.
            var tails: [LogTable: [(rowid: Int64, key: String)]] = [:]
            try reader.db.readTransaction { () throws(MemError) in
                for table in LogTable.allCases where reader.has(table) {
                    tails[table] = try reader.db.prepare("""
                        SELECT rowid, datetime_utc FROM \(table.name) WHERE rowid <= ?1 ORDER BY rowid DESC LIMIT ?2
                        """).query([.int(table.rowid(in: origin)), .int(Int64(n))]) { row in
                            (rowid: row.int(0), key: ExchangeReader.sortKey(row.text(1)))
                        }.reversed()
                }
            }
            // Merged oldest first, as the reader does (the older head goes first), then
            // the newest n kept: where each table's share begins is the start.
            let legacy = tails[.responses] ?? [], modern = tails[.turns] ?? []
            var merged: [(table: LogTable, rowid: Int64)] = []
            var i = 0, j = 0
            while i < legacy.count || j < modern.count {
                if j == modern.count || (i < legacy.count && legacy[i].key <= modern[j].key) {
                    merged.append((.responses, legacy[i].rowid)); i += 1
                } else {
                    merged.append((.turns, modern[j].rowid)); j += 1
                }
            }
            var start = origin
            for item in merged.suffix(n).reversed() { start.set(item.table, item.rowid - 1) }
            return start
        }
    }
}

extension Cursor {
    mutating func set(_ table: LogTable, _ rowid: Int64) {
        if table == .turns { turnsRowid = rowid } else { responsesRowid = rowid }
    }
}

extension ExchangeReader {
    func has(_ table: LogTable) -> Bool { table == .turns ? hasTurns : hasResponses }
}
