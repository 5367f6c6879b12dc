/// Keeps exchanges off the record as `ExchangeReader` hands them out, in reading order.
///
/// An exchange is off the record when
/// - it was made with the `OffRecordMarker` fragment linked (`LLM_MEMORY_DISABLED`; the
///   sources mark it `disabled` as they read it),
/// - it lies in a paused stretch (`OffRecordStretches`): `paused`,
/// - or an earlier exchange of its conversation was off the record: a conversation held
///   off the record stays off the record, with that exchange's reason. `llm chat --sf`
///   links a fragment to the chat's first turn only, and a later reply can repeat what
///   was said off the record.
///
/// "Earlier" is the reader's order. What came before the read's starting cursor is
/// looked up once, when the read starts (those rows are committed: a cursor only ever
/// passes committed rows); what comes after is learned exchange by exchange. So a read
/// resumed after any cursor decides exactly as a full read does.
final class OffRecordFilter {
    private let stretches: OffRecordStretches
    private var conversations: [String: Exchange.Skip] = [:]

    init(stretches: OffRecordStretches) {
        self.stretches = stretches
    }

    /// Learns the conversations already off the record before `cursor` (call inside a
    /// read transaction).
    func seed(_ db: SQLiteDatabase, tables: Set<String>, before cursor: Cursor) throws(MemError) {
        conversations = [:]
        if cursor.turnsRowid > 0, tables.isSuperset(of: ["turns", "messages", "parts"]) {
            try seed(db, tables: tables, table: .turns, through: cursor.turnsRowid)
        }
        if cursor.responsesRowid > 0, tables.contains("responses") {
            try seed(db, tables: tables, table: .responses, through: cursor.responsesRowid)
        }
    }

    private func seed(_ db: SQLiteDatabase, tables: Set<String>, table: LogTable, through rowid: Int64) throws(MemError) {
        let (rows, conversation) = table == .turns ? ("turns", "thread_id") : ("responses", "conversation_id")
        let links: [String] = table == .turns
            ? ["turn_fragments"].filter(tables.contains)
            : ["system_fragments", "prompt_fragments"].filter(tables.contains)
        if tables.contains("fragments") {
            for link in links {
                let key = table == .turns ? "turn_id" : "response_id"
                let statement = try db.prepare("""
                    SELECT DISTINCT r.\(conversation) FROM fragments f
                      JOIN \(link) l ON l.fragment_id = f.id
                      JOIN \(rows) r ON r.id = l.\(key)
                     WHERE f.hash = ?1 AND r.rowid <= ?2 AND r.\(conversation) IS NOT NULL
                    """)
                for id in try statement.query([.text(OffRecordMarker.sha256), .int(rowid)], { $0.text(0) ?? "" }) {
                    remember(id, .disabled)
                }
            }
        }
        for stretch in stretches.stretches where table.rowid(in: stretch.from) < rowid {
            var sql = "SELECT DISTINCT \(conversation) FROM \(rows) WHERE rowid > ?1 AND rowid <= ?2 AND \(conversation) IS NOT NULL"
            var values: [Statement.Value] = [.int(table.rowid(in: stretch.from)), .int(rowid)]
            if let to = stretch.to {
                values.append(.int(table.rowid(in: to)))
                if let until = stretch.until {
                    sql += " AND (rowid <= ?3 OR replace(substr(datetime_utc, 1, 19), ' ', 'T') <= ?4)"
                    values.append(.text(until))
                } else {
                    sql += " AND rowid <= ?3"
                }
            }
            for id in try db.prepare(sql).query(values, { $0.text(0) ?? "" }) {
                remember(id, .paused)
            }
        }
    }

    /// Applies the rules to the next exchange in reading order, read from `table` at `rowid`.
    func apply(_ exchange: inout Exchange, table: LogTable, rowid: Int64) {
        if exchange.skip == nil {
            if stretches.stretches.contains(where: { $0.contains(table, rowid: rowid, datetime: exchange.datetime) }) {
                exchange.keepOffRecord(.paused)
            } else if let conversation = exchange.conversation, let reason = conversations[conversation] {
                exchange.keepOffRecord(reason)
            }
        }
        if let reason = exchange.skip, let conversation = exchange.conversation {
            remember(conversation, reason)
        }
    }

    /// A conversation's later exchanges are `disabled` once any exchange of it was, else
    /// `paused`: a reason that depends only on which earlier exchanges were off the
    /// record, not on the order the seed learns them in.
    private func remember(_ conversation: String, _ reason: Exchange.Skip) {
        if reason == .disabled || conversations[conversation] == nil { conversations[conversation] = reason }
    }
}
