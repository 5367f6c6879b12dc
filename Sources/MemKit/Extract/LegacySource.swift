/// Exchanges from llm ≤ 0.31's `responses` table.
///
/// `responses.prompt` is the typed prompt without fragments (NULL for a fragment-only
/// call, `''` for a tool-result follow-up) and `responses.system` the `-s` of the call,
/// so only our own marker block needs removing.
final class LegacySource {
    private let select: Statement
    private let fragments: Statement?
    private let toolResults: Statement?

    init(db: SQLiteDatabase) throws(MemError) {
        let columns = try db.readTransaction { () throws(MemError) in try db.columns(of: "responses") }
        func column(_ name: String) -> String { columns.contains(name) ? "\"\(name)\"" : "NULL" }
        select = try db.prepare("""
            SELECT rowid, id, \(column("model")), \(column("prompt")), \(column("system")),
                   \(column("response")), \(column("conversation_id")), \(column("datetime_utc"))
            FROM responses WHERE rowid > ? ORDER BY rowid LIMIT ?
            """)
        let tables = try db.readTransaction { () throws(MemError) in try db.tableNames() }
        let hasFragments = tables.isSuperset(of: ["prompt_fragments", "system_fragments", "fragments"])
        let hasToolResults = tables.contains("tool_results")
        fragments = hasFragments ? try db.prepare("""
            SELECT 'prompt', f.source, pf."order", f.hash FROM prompt_fragments pf JOIN fragments f ON f.id = pf.fragment_id
             WHERE pf.response_id = ?1
            UNION ALL
            SELECT 'system', f.source, sf."order", f.hash FROM system_fragments sf JOIN fragments f ON f.id = sf.fragment_id
             WHERE sf.response_id = ?1
            ORDER BY 1, 3
            """) : nil
        toolResults = hasToolResults
            ? try db.prepare("SELECT 1 FROM tool_results WHERE response_id = ? LIMIT 1") : nil
    }

    func rows(after rowid: Int64, limit: Int) throws(MemError) -> [(rowid: Int64, exchange: Exchange)] {
        let raw = try select.query([.int(rowid), .int(Int64(limit))]) { row in
            (rowid: row.int(0), id: row.text(1) ?? "", model: row.text(2), prompt: row.text(3),
             promptIsNull: row.isNull(3), system: row.text(4), response: row.text(5),
             conversation: row.text(6), datetime: row.text(7))
        }
        var out: [(rowid: Int64, exchange: Exchange)] = []
        out.reserveCapacity(raw.count)
        for r in raw {
            var offRecord = false
            let used: [Exchange.Fragment] = try fragments?.query([.text(r.id)]) { (row) throws(MemError) -> Exchange.Fragment in
                if row.text(3) == OffRecordMarker.sha256 { offRecord = true }
                return Exchange.Fragment(kind: row.text(0) == "system" ? .system : .prompt, source: row.text(1) ?? "")
            } ?? []
            var prompt: String? = r.promptIsNull ? "" : r.prompt
            if prompt == "", let toolResults, try !toolResults.query([.text(r.id)], { _ in true }).isEmpty {
                prompt = nil
            }
            let system = r.system.map(MemoryMarker.removingBlock)
            out.append((r.rowid, Exchange(
                id: r.id, conversation: r.conversation, model: r.model, datetime: r.datetime,
                prompt: prompt.map(MemoryMarker.removingBlock),
                system: system?.isEmpty == true ? nil : system,
                fragments: used, response: r.response ?? "", cursor: "",
                skip: offRecord ? .disabled : nil)))
        }
        return out
    }
}
