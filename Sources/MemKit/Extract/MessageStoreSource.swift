/// Exchanges from llm ≥ 0.32: a `turns` row per model call pointing into the
/// content-addressed message store.
///
/// The turn's `parent_message_hash` is its last input message (the user's, or a `tool`
/// message for a tool-result follow-up) and `tip_message_hash` its last output; the
/// response is the text parts of the assistant messages between them. The system prompt
/// is the chain's root message when its role is `system`.
///
/// Why a window rather than joins: llm writes a turn's new messages and their parts in
/// the turn's own transaction, just before the turn row, so the messages and parts a
/// chunk of turns first stored lie in one rowid range of each table, between the newest
/// ones of the previous chunk and the newest of this one. Reading those ranges in rowid
/// order and joining in memory costs a fraction of two B-tree descents on 35-character
/// hashes per message (the join this replaced spent half of a full read there). A message
/// the window does not hold (stored earlier by an identical chat, a conversation's older
/// messages) is looked up by hash, so the window only decides speed, never the result.
final class MessageStoreSource {
    private let selectTurns: Statement
    private let selectChunkFragments: Statement?
    private let selectMessage: Statement
    private let selectParts: Statement
    private let selectFragment: Statement
    private let selectThreadSystemFragments: Statement?
    private let selectConversationSystemFragments: Statement?
    private let scan: WindowScan?
    private var threadFragmentCache: [String: [String]] = [:]
    /// Content-addressed, so a message's text and root never change: cache them.
    private var fragmentCache: [Int64: String] = [:]
    private var rootCache: [MessageHash: MessageHash?] = [:]
    private var systemTextCache: [MessageHash: (text: String, fragmentIDs: [Int64])] = [:]
    /// The messages and parts of the chunk being read, and how far each table was read.
    private var window = Window()
    private var messagesThrough: Int64 = 0
    private var partsThrough: Int64 = 0

    private struct Message {
        var parent: MessageHash?
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
        var parent: MessageHash?
        var tip: MessageHash?
    }

    /// Messages by hash, and where each message's parts lie in `partRows` (only
    /// messages whose every part, from position 0, is in the window).
    private struct Window {
        var messages: [MessageHash: Message] = [:]
        var parts: [MessageHash: Range<Int>] = [:]
        var partRows: [Part] = []
    }

    /// The statements that read the window; nil where the tables lack a rowid.
    private struct WindowScan {
        var messageRowid: Statement
        var lastPart: Statement
        var messages: Statement
        var parts: Statement
    }

    /// How many messages (twice as many parts) a window may span, when not the default
    /// of two per turn and 64 more: a chunk whose turns stored more (long tool-call
    /// chains) reads the rest by hash. The tests narrow it to cut through messages.
    private let windowSpan: Int?

    init(db: SQLiteDatabase, windowed: Bool = true, windowSpan: Int? = nil) throws(MemError) {
        self.windowSpan = windowSpan
        let tables = try db.readTransaction { () throws(MemError) in try db.tableNames() }
        let hasTurnFragments = tables.isSuperset(of: ["turn_fragments", "fragments"])
        selectTurns = try db.prepare("""
            SELECT rowid, id, thread_id, model, datetime_utc, parent_message_hash, tip_message_hash
              FROM turns WHERE rowid > ?1 AND rowid <= ?3 ORDER BY rowid LIMIT ?2
            """)
        selectChunkFragments = hasTurnFragments ? try db.prepare("""
            SELECT tf.turn_id, tf.kind, tf.fragment_id, f.source, f.hash
              FROM turn_fragments tf JOIN fragments f ON f.id = tf.fragment_id
             WHERE tf.turn_id IN (SELECT id FROM turns WHERE rowid > ?1 AND rowid <= ?3 ORDER BY rowid LIMIT ?2)
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
        // A table declared WITHOUT ROWID (no llm so far) cannot be read by range: look up.
        scan = windowed ? try? WindowScan(
            messageRowid: db.prepare("SELECT rowid FROM messages WHERE hash = ?"),
            lastPart: db.prepare("SELECT max(rowid) FROM parts WHERE message_hash IN (?1, ?2)"),
            messages: db.prepare("""
                SELECT hash, parent_hash, role FROM messages WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid
                """),
            parts: db.prepare("""
                SELECT message_hash, position, type, text, payload FROM parts
                 WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid
                """)) : nil
    }

    /// The turns after `rowid` and at most `through`, at most `limit` of them, as exchanges.
    func rows(after rowid: Int64, through: Int64 = .max, limit: Int) throws(MemError) -> [(rowid: Int64, exchange: Exchange)] {
        let bounds: [Statement.Value] = [.int(rowid), .int(Int64(limit)), .int(through)]
        let turns = try selectTurns.query(bounds) { row in
            Turn(rowid: row.int(0), id: row.text(1) ?? "", thread: row.text(2), model: row.text(3),
                 datetime: row.text(4), parent: row.hash(5), tip: row.hash(6))
        }
        guard let last = turns.last else { return [] }
        try readWindow(through: last, turns: turns.count)
        defer {
            window.messages.removeAll(keepingCapacity: true)
            window.parts.removeAll(keepingCapacity: true)
            window.partRows.removeAll(keepingCapacity: true)
        }
        var used: [String: [(kind: Exchange.Fragment.Kind, id: Int64, source: String)]] = [:]
        var offRecord = Set<String>()
        for (turn, fragment) in try selectChunkFragments?.query(bounds, { row in
            if row.text(4) == OffRecordMarker.sha256 { offRecord.insert(row.text(0) ?? "") }
            return (row.text(0) ?? "", (kind: row.text(1) == "system" ? Exchange.Fragment.Kind.system : .prompt,
                                        id: row.int(2), source: row.text(3) ?? ""))
        }) ?? [] {
            used[turn, default: []].append(fragment)
        }

        var out: [(rowid: Int64, exchange: Exchange)] = []
        out.reserveCapacity(turns.count)
        for turn in turns {
            // A call made off the record: none of its text is read.
            if !offRecord.isEmpty, offRecord.contains(turn.id) {
                out.append((turn.rowid, Exchange(
                    id: turn.id, conversation: turn.thread, model: turn.model, datetime: turn.datetime,
                    prompt: nil, system: nil, fragments: [], response: "", cursor: "", skip: .disabled)))
                continue
            }
            let fragments = used.isEmpty ? [] : used[turn.id] ?? []
            var promptContents: [String] = []
            var systemContents: [String] = []
            for f in fragments {
                let content = try fragmentContent(f.id)
                if f.kind == .prompt { promptContents.append(content) } else { systemContents.append(content) }
            }
            let input = try turn.parent.flatMap { (hash) throws(MemError) in try message(hash) }
            let prompt = try typedPrompt(turn, input: input, fragments: promptContents)
            let system = try typedSystem(turn, input: input, fragments: systemContents)
            let response = try responseText(turn)
            out.append((turn.rowid, Exchange(
                id: turn.id, conversation: turn.thread, model: turn.model, datetime: turn.datetime,
                prompt: prompt, system: system,
                fragments: fragments.map { Exchange.Fragment(kind: $0.kind, source: $0.source) },
                response: response, cursor: "")))
        }
        return out
    }

    /// Reads the messages and parts stored since the previous chunk, up to those of the
    /// chunk's last turn (its output, else its input, found by hash). The first chunk of
    /// a read starts a bounded distance before; a message whose parts begin before the
    /// range is left out, so only complete messages are taken from the window.
    private func readWindow(through last: Turn, turns: Int) throws(MemError) {
        guard let scan, let newest = last.tip ?? last.parent else { return }
        let span = Int64(windowSpan ?? 2 * turns + 64)
        window.messages.reserveCapacity(Int(span))
        window.parts.reserveCapacity(Int(span))
        if let high = try scan.messageRowid.query([.text(newest.description)], { $0.int(0) }).first,
           high > messagesThrough {
            let low = max(messagesThrough, high - span)
            try scan.messages.forEach([.int(low), .int(high)]) { row in
                guard let hash = row.hash(0) else { return }
                window.messages[hash] = Message(parent: row.hash(1), role: row.text(2) ?? "")
            }
            messagesThrough = high
        }
        let lastPart = try scan.lastPart.query([.text(newest.description), .text((last.parent ?? newest).description)]) { row in
            row.isNull(0) ? nil : row.int(0)
        }.first ?? nil
        if let high = lastPart, high > partsThrough {
            let low = max(partsThrough, high - 2 * span)
            try scan.parts.forEach([.int(low), .int(high)]) { row in
                guard let hash = row.hash(0) else { return }
                let position = row.int(1)
                // Rows come in rowid order, which is position order within a message, so
                // a message's parts follow each other; one that starts before the window
                // (or has a gap) is dropped from it, and its later parts then find no
                // range to extend: it is left to the look-up.
                if position == 0 {
                    window.parts[hash] = window.partRows.count..<(window.partRows.count + 1)
                } else if let range = window.parts[hash], range.count == Int(position),
                          range.upperBound == window.partRows.count {
                    window.parts[hash] = range.lowerBound..<(range.upperBound + 1)
                } else {
                    window.parts[hash] = nil
                    return
                }
                window.partRows.append(Part(type: row.text(2) ?? "", text: row.text(3), payload: row.text(4)))
            }
            partsThrough = high
        }
    }

    private func message(_ hash: MessageHash) throws(MemError) -> Message? {
        if let known = window.messages[hash] { return known }
        return try selectMessage.query([.text(hash.description)]) { row in
            Message(parent: row.hash(0), role: row.text(1) ?? "")
        }.first
    }

    private func parts(of hash: MessageHash) throws(MemError) -> ArraySlice<Part> {
        if let range = window.parts[hash] { return window.partRows[range] }
        return try selectParts.query([.text(hash.description)]) { row in
            Part(type: row.text(0) ?? "", text: row.text(1), payload: row.text(2))
        }[...]
    }

    /// The text parts of a message, fragment references resolved.
    private func text(of parts: ArraySlice<Part>) throws(MemError) -> (text: String, fragmentIDs: [Int64]) {
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

    private func typedPrompt(_ turn: Turn, input: Message?, fragments: [String]) throws(MemError) -> String? {
        guard let parent = turn.parent, let input else { return "" }
        if input.role == "tool" { return nil }
        guard input.role == "user" else { return "" }
        let full = try text(of: parts(of: parent)).text
        return MemoryMarker.removingBlock(FragmentStripper.typedPrompt(from: full, promptFragments: fragments))
    }

    /// The `-s` text of the conversation's system message, without system fragments.
    /// A continuation inherits the thread's first system message but names no fragments
    /// itself, so the fragments the stored message references and, if text is left that
    /// may still be fragment text, those of the thread's other calls (also the legacy
    /// conversation a thread may continue) are stripped too.
    private func typedSystem(_ turn: Turn, input: Message?, fragments: [String]) throws(MemError) -> String? {
        // A first message with no parent is the root itself: a user message, no system.
        guard let start = input?.parent, let root = try rootMessage(of: start) else { return nil }
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

    private func systemText(_ hash: MessageHash) throws(MemError) -> (text: String, fragmentIDs: [Int64]) {
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
    private func rootMessage(of hash: MessageHash) throws(MemError) -> MessageHash? {
        var path: [MessageHash] = []
        var current = hash
        var root: MessageHash?? = nil
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
    /// Usually one message, whose parts came with the window.
    private func responseText(_ turn: Turn) throws(MemError) -> String {
        guard let tip = turn.tip, tip != turn.parent, let tipMessage = try message(tip) else { return "" }
        if tipMessage.parent == turn.parent {
            return tipMessage.role == "assistant" ? try text(of: parts(of: tip)).text : ""
        }
        var texts: [String] = []
        var current: MessageHash? = tip
        var steps = 0
        while let hash = current, hash != turn.parent, steps < 10_000 {
            steps += 1
            guard let m = try message(hash) else { break }
            if m.role == "assistant" {
                let t = try text(of: parts(of: hash)).text
                if !t.isEmpty { texts.append(t) }
            }
            current = m.parent
        }
        return texts.reversed().joined(separator: "\n")
    }
}
