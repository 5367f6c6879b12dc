/// Exchanges from llm ≥ 0.32: a `turns` row per model call pointing into the
/// content-addressed message store.
///
/// The turn's `parent_message_hash` is its last input message (the user's, or a `tool`
/// message for a tool-result follow-up) and `tip_message_hash` its last output; the
/// response is the text parts of the assistant messages between them. The system prompt
/// is the chain's root message when its role is `system`.
///
/// A chunk of turns is read with three set-based queries (the turns with their input and
/// output messages, the parts of those messages, the fragments the turns used), so a
/// full read costs a few microseconds per exchange; only conversations (a system message
/// to find at the root, several output messages) take per-message look-ups, cached.
final class MessageStoreSource {
    private let selectTurns: Statement
    private let selectChunkParts: Statement
    private let selectChunkFragments: Statement?
    private let selectMessage: Statement
    private let selectParts: Statement
    private let selectFragment: Statement
    private let selectThreadSystemFragments: Statement?
    private let selectConversationSystemFragments: Statement?
    private var threadFragmentCache: [String: [String]] = [:]
    /// Content-addressed, so a message's text and root never change: cache them.
    private var fragmentCache: [Int64: String] = [:]
    private var rootCache: [String: String?] = [:]
    private var systemTextCache: [String: (text: String, fragmentIDs: [Int64])] = [:]

    private struct Message {
        var parent: String?
        var role: String
    }

    private struct Part {
        var type: String
        var text: String?
        var payload: String?
    }

    private struct Turn {
        var rowid: Int64
        var id: String
        var thread: String?
        var model: String?
        var datetime: String?
        var parent: String?
        var tip: String?
        var parentMessage: Message?
        var tipMessage: Message?
    }

    /// The chunk of turns every query of `rows` reads (a derived table has no rowid of
    /// its own, so it is selected by name).
    private static let chunk = "SELECT rowid AS rid, * FROM turns WHERE rowid > ?1 ORDER BY rowid LIMIT ?2"

    init(db: SQLiteDatabase) throws(MemError) {
        let tables = try db.readTransaction { () throws(MemError) in try db.tableNames() }
        let hasTurnFragments = tables.isSuperset(of: ["turn_fragments", "fragments"])
        selectTurns = try db.prepare("""
            SELECT t.rid, t.id, t.thread_id, t.model, t.datetime_utc, t.parent_message_hash, t.tip_message_hash,
                   pm.role, pm.parent_hash, pm.hash IS NOT NULL, tm.role, tm.parent_hash, tm.hash IS NOT NULL
              FROM (\(MessageStoreSource.chunk)) t
              LEFT JOIN messages pm ON pm.hash = t.parent_message_hash
              LEFT JOIN messages tm ON tm.hash = t.tip_message_hash
             ORDER BY t.rid
            """)
        // Input and output messages of the chunk; a message shared by two turns comes
        // twice and is keyed once. Parts come in (message, position) index order.
        selectChunkParts = try db.prepare("""
            WITH c AS (SELECT parent_message_hash, tip_message_hash FROM (\(MessageStoreSource.chunk)))
            SELECT p.message_hash, p.type, p.text, p.payload
              FROM (SELECT parent_message_hash AS hash FROM c UNION ALL SELECT tip_message_hash FROM c) h
              JOIN parts p ON p.message_hash = h.hash
            """)
        selectChunkFragments = hasTurnFragments ? try db.prepare("""
            SELECT tf.turn_id, tf.kind, tf.fragment_id, f.source
              FROM (SELECT id FROM (\(MessageStoreSource.chunk))) c
              JOIN turn_fragments tf ON tf.turn_id = c.id
              JOIN fragments f ON f.id = tf.fragment_id
             ORDER BY tf.turn_id, tf.kind, tf."order"
            """) : nil
        selectMessage = try db.prepare("SELECT parent_hash, role FROM messages WHERE hash = ?")
        selectParts = try db.prepare("SELECT type, text, payload FROM parts WHERE message_hash = ? ORDER BY position")
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
        let bounds: [Statement.Value] = [.int(rowid), .int(Int64(limit))]
        let turns = try selectTurns.query(bounds) { row in
            Turn(rowid: row.int(0), id: row.text(1) ?? "", thread: row.text(2), model: row.text(3),
                 datetime: row.text(4), parent: row.text(5), tip: row.text(6),
                 parentMessage: row.int(9) != 0 ? Message(parent: row.text(8), role: row.text(7) ?? "") : nil,
                 tipMessage: row.int(12) != 0 ? Message(parent: row.text(11), role: row.text(10) ?? "") : nil)
        }
        guard !turns.isEmpty else { return [] }
        var parts: [String: [Part]] = [:]
        var previousHash = ""
        for (hash, part) in try selectChunkParts.query(bounds, { row in
            (row.text(0) ?? "", Part(type: row.text(1) ?? "", text: row.text(2), payload: row.text(3)))
        }) {
            // The same message listed again (shared by turns, or input = output) restarts.
            if hash != previousHash { parts[hash] = [] }
            parts[hash, default: []].append(part)
            previousHash = hash
        }
        var used: [String: [(kind: Exchange.Fragment.Kind, id: Int64, source: String)]] = [:]
        for (turn, fragment) in try selectChunkFragments?.query(bounds, { row in
            (row.text(0) ?? "", (kind: row.text(1) == "system" ? Exchange.Fragment.Kind.system : .prompt,
                                 id: row.int(2), source: row.text(3) ?? ""))
        }) ?? [] {
            used[turn, default: []].append(fragment)
        }

        var out: [(rowid: Int64, exchange: Exchange)] = []
        out.reserveCapacity(turns.count)
        for turn in turns {
            let fragments = used[turn.id] ?? []
            var promptContents: [String] = []
            var systemContents: [String] = []
            for f in fragments {
                let content = try fragmentContent(f.id)
                if f.kind == .prompt { promptContents.append(content) } else { systemContents.append(content) }
            }
            let prompt = try typedPrompt(turn, parts: parts, fragments: promptContents)
            let system = try typedSystem(turn, fragments: systemContents)
            let response = try responseText(turn, parts: parts)
            out.append((turn.rowid, Exchange(
                id: turn.id, conversation: turn.thread, model: turn.model, datetime: turn.datetime,
                prompt: prompt, system: system,
                fragments: fragments.map { Exchange.Fragment(kind: $0.kind, source: $0.source) },
                response: response, cursor: "")))
        }
        return out
    }

    private func message(_ hash: String) throws(MemError) -> Message? {
        try selectMessage.query([.text(hash)]) { row in
            Message(parent: row.text(0), role: row.text(1) ?? "")
        }.first
    }

    private func parts(of hash: String) throws(MemError) -> [Part] {
        try selectParts.query([.text(hash)]) { row in
            Part(type: row.text(0) ?? "", text: row.text(1), payload: row.text(2))
        }
    }

    /// The text parts of a message, fragment references resolved.
    private func text(of parts: [Part]) throws(MemError) -> (text: String, fragmentIDs: [Int64]) {
        var text = ""
        var ids: [Int64] = []
        for part in parts where part.type == "text" {
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

    private func typedPrompt(_ turn: Turn, parts: [String: [Part]], fragments: [String]) throws(MemError) -> String? {
        guard let parent = turn.parent, let input = turn.parentMessage else { return "" }
        if input.role == "tool" { return nil }
        guard input.role == "user" else { return "" }
        let full = try text(of: parts[parent] ?? []).text
        return MemoryMarker.removingBlock(FragmentStripper.typedPrompt(from: full, promptFragments: fragments))
    }

    /// The `-s` text of the conversation's system message, without system fragments.
    /// A continuation inherits the thread's first system message but names no fragments
    /// itself, so the fragments the stored message references and, if text is left that
    /// may still be fragment text, those of the thread's other calls (also the legacy
    /// conversation a thread may continue) are stripped too.
    private func typedSystem(_ turn: Turn, fragments: [String]) throws(MemError) -> String? {
        // A first message with no parent is the root itself: a user message, no system.
        guard let start = turn.parentMessage?.parent, let root = try rootMessage(of: start) else { return nil }
        let resolved = try systemText(root)
        var known = fragments
        for id in resolved.fragmentIDs { known.append(try fragmentContent(id)) }
        var typed = FragmentStripper.typedSystem(from: resolved.text, systemFragments: known)
        if !typed.isEmpty, let thread = turn.thread {
            known += try threadSystemFragments(thread)
            typed = FragmentStripper.typedSystem(from: resolved.text, systemFragments: known)
        }
        typed = MemoryMarker.removingBlock(typed)
        return typed.isEmpty ? nil : typed
    }

    private func systemText(_ hash: String) throws(MemError) -> (text: String, fragmentIDs: [Int64]) {
        if let cached = systemTextCache[hash] { return cached }
        let resolved = try text(of: parts(of: hash))
        systemTextCache[hash] = resolved
        return resolved
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
    /// Usually one message, whose parts came with the chunk.
    private func responseText(_ turn: Turn, parts: [String: [Part]]) throws(MemError) -> String {
        guard let tip = turn.tip, tip != turn.parent, let tipMessage = turn.tipMessage else { return "" }
        if tipMessage.parent == turn.parent {
            return tipMessage.role == "assistant" ? try text(of: parts[tip] ?? []).text : ""
        }
        var texts: [String] = []
        var current: String? = tip
        var steps = 0
        while let hash = current, hash != turn.parent, steps < 10_000 {
            steps += 1
            guard let m = try message(hash) else { break }
            if m.role == "assistant" {
                let t = try text(of: self.parts(of: hash)).text
                if !t.isEmpty { texts.append(t) }
            }
            current = m.parent
        }
        return texts.reversed().joined(separator: "\n")
    }
}
