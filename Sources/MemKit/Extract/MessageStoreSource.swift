/// Exchanges from llm ≥ 0.32: a `turns` row per model call pointing into the
/// content-addressed message store.
///
/// The turn's `parent_message_hash` is its last input message (the user's, or a `tool`
/// message for a tool-result follow-up) and `tip_message_hash` its last output; the
/// response is the text parts of the assistant messages between them. The system prompt
/// is the chain's root message when its role is `system`.
final class MessageStoreSource {
    private let selectTurns: Statement
    private let selectMessage: Statement
    private let selectParts: Statement
    private let selectTurnFragments: Statement?
    private let selectFragment: Statement
    private let selectThreadSystemFragments: Statement?
    private let selectConversationSystemFragments: Statement?
    private var threadFragmentCache: [String: [String]] = [:]
    /// Content-addressed, so a message's text and root never change: cache them.
    private var fragmentCache: [Int64: String] = [:]
    private var rootCache: [String: String?] = [:]

    private struct Message {
        var parent: String?
        var role: String
    }

    init(db: SQLiteDatabase) throws(MemError) {
        let tables = try db.readTransaction { () throws(MemError) in try db.tableNames() }
        let hasTurnFragments = tables.isSuperset(of: ["turn_fragments", "fragments"])
        selectTurns = try db.prepare("""
            SELECT rowid, id, thread_id, model, datetime_utc, parent_message_hash, tip_message_hash
            FROM turns WHERE rowid > ? ORDER BY rowid LIMIT ?
            """)
        selectMessage = try db.prepare("SELECT parent_hash, role FROM messages WHERE hash = ?")
        selectParts = try db.prepare("SELECT type, text, payload FROM parts WHERE message_hash = ? ORDER BY position")
        selectTurnFragments = hasTurnFragments ? try db.prepare("""
            SELECT tf.kind, f.content, f.source FROM turn_fragments tf JOIN fragments f ON f.id = tf.fragment_id
            WHERE tf.turn_id = ? ORDER BY tf.kind, tf."order"
            """) : nil
        selectFragment = try db.prepare("SELECT content FROM fragments WHERE id = ?")
        selectThreadSystemFragments = hasTurnFragments ? try db.prepare("""
            SELECT DISTINCT f.content FROM turns t
              JOIN turn_fragments tf ON tf.turn_id = t.id AND tf.kind = 'system'
              JOIN fragments f ON f.id = tf.fragment_id
             WHERE t.thread_id = ?
            """) : nil
        selectConversationSystemFragments = tables.isSuperset(of: ["responses", "system_fragments", "fragments"])
            ? try db.prepare("""
                SELECT DISTINCT f.content FROM responses r
                  JOIN system_fragments sf ON sf.response_id = r.id
                  JOIN fragments f ON f.id = sf.fragment_id
                 WHERE r.conversation_id = ?
                """) : nil
    }

    func rows(after rowid: Int64, limit: Int) throws(MemError) -> [(rowid: Int64, exchange: Exchange)] {
        let turns = try selectTurns.query([.int(rowid), .int(Int64(limit))]) { row in
            (rowid: row.int(0), id: row.text(1) ?? "", thread: row.text(2), model: row.text(3),
             datetime: row.text(4), parent: row.text(5), tip: row.text(6))
        }
        var out: [(rowid: Int64, exchange: Exchange)] = []
        out.reserveCapacity(turns.count)
        for turn in turns {
            let used = try selectTurnFragments?.query([.text(turn.id)]) { row in
                (kind: row.text(0) == "system" ? Exchange.Fragment.Kind.system : .prompt,
                 content: row.text(1) ?? "", source: row.text(2) ?? "")
            } ?? []
            let prompt = try typedPrompt(turn.parent, fragments: used.filter { $0.kind == .prompt }.map(\.content))
            let system = try typedSystem(turn.parent, thread: turn.thread,
                                         fragments: used.filter { $0.kind == .system }.map(\.content))
            let response = try responseText(tip: turn.tip, parent: turn.parent)
            out.append((turn.rowid, Exchange(
                id: turn.id, conversation: turn.thread, model: turn.model, datetime: turn.datetime,
                prompt: prompt, system: system,
                fragments: used.map { Exchange.Fragment(kind: $0.kind, source: $0.source) },
                response: response, cursor: "")))
        }
        return out
    }

    private func message(_ hash: String) throws(MemError) -> Message? {
        try selectMessage.query([.text(hash)]) { row in
            Message(parent: row.text(0), role: row.text(1) ?? "")
        }.first
    }

    /// The text parts of a message, fragment references resolved.
    private func text(of hash: String, types: Set<String> = ["text"]) throws(MemError) -> (text: String, fragmentIDs: [Int64]) {
        let parts = try selectParts.query([.text(hash)]) { row in
            (type: row.text(0) ?? "", text: row.text(1), payload: row.text(2))
        }
        var text = ""
        var ids: [Int64] = []
        for part in parts where types.contains(part.type) {
            if let literal = part.text {
                text += literal
                continue
            }
            guard let payload = part.payload,
                  let value = try? JSONParser.parse(payload) else { continue }
            if let plain = value["text"]?.stringValue {
                text += plain
            } else if let pieces = value["text_ref"]?.arrayValue {
                for piece in pieces {
                    if let literal = piece["literal"]?.stringValue {
                        text += literal
                    } else if case let .number(n)? = piece["fragment"] {
                        let id = Int64(n)
                        ids.append(id)
                        text += try fragmentContent(id)
                    }
                }
            }
        }
        return (text, ids)
    }

    private func fragmentContent(_ id: Int64) throws(MemError) -> String {
        if let cached = fragmentCache[id] { return cached }
        let content = try selectFragment.query([.int(id)]) { $0.text(0) ?? "" }.first ?? ""
        fragmentCache[id] = content
        return content
    }

    private func typedPrompt(_ parent: String?, fragments: [String]) throws(MemError) -> String? {
        guard let parent, let input = try message(parent) else { return "" }
        if input.role == "tool" { return nil }
        guard input.role == "user" else { return "" }
        let full = try text(of: parent).text
        return MemoryMarker.removingBlock(FragmentStripper.typedPrompt(from: full, promptFragments: fragments))
    }

    /// The `-s` text of the conversation's system message, without system fragments.
    /// A continuation inherits the thread's first system message but names no fragments
    /// itself, so the fragments the stored message references and, if text is left that
    /// may still be fragment text, those of the thread's other calls (also the legacy
    /// conversation a thread may continue) are stripped too.
    private func typedSystem(_ parent: String?, thread: String?, fragments: [String]) throws(MemError) -> String? {
        guard let parent, let root = try rootMessage(of: parent) else { return nil }
        let resolved = try text(of: root)
        var known = fragments
        for id in resolved.fragmentIDs { known.append(try fragmentContent(id)) }
        var typed = FragmentStripper.typedSystem(from: resolved.text, systemFragments: known)
        if !typed.isEmpty, let thread {
            known += try threadSystemFragments(thread)
            typed = FragmentStripper.typedSystem(from: resolved.text, systemFragments: known)
        }
        typed = MemoryMarker.removingBlock(typed)
        return typed.isEmpty ? nil : typed
    }

    private func threadSystemFragments(_ thread: String) throws(MemError) -> [String] {
        if let cached = threadFragmentCache[thread] { return cached }
        var contents = try selectThreadSystemFragments?.query([.text(thread)]) { $0.text(0) ?? "" } ?? []
        contents += try selectConversationSystemFragments?.query([.text(thread)]) { $0.text(0) ?? "" } ?? []
        threadFragmentCache[thread] = contents
        return contents
    }

    /// The hash of the chain's root message if its role is `system`.
    private func rootMessage(of hash: String) throws(MemError) -> String? {
        var path: [String] = []
        var current = hash
        var root: String?? = nil
        for _ in 0..<100_000 {
            if let cached = rootCache[current] { root = cached; break }
            path.append(current)
            guard let m = try message(current) else { root = .some(nil); break }
            guard let parent = m.parent else {
                root = .some(m.role == "system" ? current : nil)
                break
            }
            current = parent
        }
        let result = root ?? nil
        for h in path { rootCache[h] = result }
        return result
    }

    /// Text of the assistant messages from the tip back to (not including) the input.
    private func responseText(tip: String?, parent: String?) throws(MemError) -> String {
        guard let tip, tip != parent else { return "" }
        var texts: [String] = []
        var current: String? = tip
        var steps = 0
        while let hash = current, hash != parent, steps < 10_000 {
            steps += 1
            guard let m = try message(hash) else { break }
            if m.role == "assistant" {
                let t = try text(of: hash).text
                if !t.isEmpty { texts.append(t) }
            }
            current = m.parent
        }
        return texts.reversed().joined(separator: "\n")
    }
}
