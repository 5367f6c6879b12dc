/// Reads a model's reply — untrusted text — into delta ops, keeping only what is
/// well-formed and safe, and saying what it dropped and why.
///
/// Finding the JSON:
/// - Reasoning blocks `<think>`, `<thinking>`, `<reasoning>`, `<reflection>` (any case)
///   are removed with their content. A closing tag with no opening one (a reply that
///   starts inside the reasoning) removes everything before it; an opening tag that is
///   never closed removes everything after it (the answer never came).
/// - The contents of ``` code fences are tried first, then the whole text.
/// - The text is scanned for `{` and `[`; each is parsed leniently (trailing commas,
///   truncation). The first value that is a delta — an array of objects (or `[]`), or an
///   object holding an array under `ops`, `changes`, `operations`, `updates`, `edits` or
///   `delta` (also nested one level, e.g. `{"delta": {"ops": […]}}`) — is the answer.
///   With no such value, loose op objects (`{"op": …}` one after another) are collected.
/// - A reply cut off mid-way keeps its complete ops; the op it was cut inside is dropped.
///   `cutOff` says more ops may have followed (the text ended inside the ops, or held
///   no ops but stopped at the byte cap, inside reasoning or inside JSON).
///
/// Reading one op (aliases accepted):
/// - kind: `op`, `action`, `type`, `operation` — add/insert/append/create/new → add;
///   replace/update/modify/change/edit/set → replace; remove/delete/drop/forget → remove;
/// - `section` (`category`, `heading`; a leading `#` is dropped; a known section's name is
///   matched case-insensitively and spelled as the profile spells it; other names are kept),
///   `text` (`value`, `new`, `content`, `fact`, `new_text`),
///   `old` (`from`, `old_text`, `previous`, `match`, `target`; a `remove` that gives only
///   `text` uses it as `old`), citation `ex` (`exchange`, `source`, `ref`, `citation`:
///   `3`, `"3"`, `"[3]"`, `"ex 3"`, or the exchange id itself).
/// - Values must be strings (the citation may be a number). Whitespace runs are collapsed
///   and a leading `- ` bullet marker is removed.
/// - A citation that names no exchange of the batch is dropped and the op is kept without
///   a source — unless the batch has exactly one exchange, which is then the source (an op
///   with no citation gets that source too). Said on stderr.
///
/// Bounding the damage (defaults in `Options`): at most 20 well-formed ops per delta (the
/// rest are not kept, and `items` marks them `overLimit` so the caller can carry their
/// exchanges to the next pass: `BatchCut`); an op's `text` longer than 200 characters is
/// shortened at a word boundary to fit, ending in "…", and said on stderr — neither dropped
/// (a fact lost for lack of room) nor carried over (the same op would come back every
/// pass); `old` may be up to 1000 characters, since it must match what is already there,
/// and an op over that is dropped; a section name up to 80. Ops whose
/// text or old looks like a secret (`Redactor.looksLikeSecret`, which includes any
/// `[REDACTED` marker) are dropped. Duplicates (same kind, section, text and old, ignoring
/// case and spacing) are kept once. Replies are read up to 1 MB (`ChildProcess` caps what
/// is captured; `maxReplyBytes` caps what is parsed).
public struct ReplyParser: Sendable {
    public struct Options: Sendable {
        public var maxOps = 20
        public var maxOpChars = 200
        public var maxOldChars = 1000
        public var maxSectionChars = 80
        public var maxReplyBytes = 1 << 20
        /// Per-op lines on stderr before "… and N more".
        public var maxReportLines = 20

        public init() {}
    }

    public struct Result: Sendable {
        public var ops: [DeltaOp]
        /// Lines for stderr: one per dropped op (capped), warnings, a summary.
        public var notes: [String]
        /// False when the reply held nothing that looked like ops at all.
        public var foundOps: Bool
        /// Every op of the reply, kept or not, in the reply's order: what a caller needs to
        /// know which exchanges the reply decided (`BatchCut`).
        public var items: [Item] = []
        /// More ops may have followed what was read: the reply ended inside its ops (cut
        /// off, or at the byte cap), or held no ops but ended inside reasoning or JSON, or
        /// was capped before any ops were found.
        public var cutOff = false

        /// The exchange each kept op cites, parallel to `ops`.
        public var keptExchanges: [Int?] { items.filter { $0.fate == .kept }.map(\.exchange) }
    }

    /// One op of a reply as read: the exchange it cites and what became of it.
    public struct Item: Sendable, Equatable {
        public enum Fate: Sendable, Equatable {
            /// In `ops`.
            case kept
            /// Dropped on purpose (malformed, `old` too long, secret-like, a duplicate): decided.
            case dropped
            /// Well-formed, but over `maxOps`: not decided.
            case overLimit
            /// The op the reply was cut inside: not decided.
            case cutOff
        }

        /// The exchange number (1-based) its citation names — for a batch of one
        /// exchange, always 1 — or nil when it names none (or could not be read).
        public var exchange: Int?
        public var fate: Fate

        public init(exchange: Int?, fate: Fate) {
            self.exchange = exchange
            self.fate = fate
        }
    }

    public let exchangeIDs: [String]
    public let sections: [String]
    public let options: Options

    /// - Parameters:
    ///   - exchangeIDs: the id of each numbered exchange; `[0]` is exchange `[1]`.
    ///   - sections: the section names the prompt offered.
    public init(exchangeIDs: [String], sections: [String] = UpdatePrompt.defaultSections, options: Options = Options()) {
        self.exchangeIDs = exchangeIDs
        self.sections = sections
        self.options = options
    }

    public func parse(_ reply: String) -> Result {
        parse(Array(reply.utf8))
    }

    /// - Parameter capped: the reply was already cut at a byte cap before it got here
    ///   (`ModelClient` keeps at most `maxReplyBytes`).
    public func parse(_ replyBytes: [UInt8], capped: Bool = false) -> Result {
        var notes: [String] = []
        var bytes = replyBytes
        var capped = capped
        if bytes.count > options.maxReplyBytes {
            notes.append("the model's reply is \(bytes.count) bytes; only the first \(options.maxReplyBytes) were read")
            bytes = Array(bytes[..<options.maxReplyBytes])
            capped = true
        }
        let (text, reasoningNote) = ReplyParser.stripReasoning(String(decoding: bytes, as: UTF8.self))
        if let reasoningNote { notes.append(reasoningNote) }

        var found: Found?
        for block in ReplyParser.fencedBlocks(text) + [text] {
            if let f = ReplyParser.findOps(in: Array(block.utf8)) {
                found = f
                break
            }
        }
        guard let found else {
            let snippet = ReplyParser.snippet(text)
            notes.append(snippet.isEmpty
                ? "the model's reply was empty; no changes proposed"
                : "the model's reply held no JSON ops, so no changes are proposed (it began: \"\(snippet)\")")
            // No ops, but the answer may not have come yet: the reply stopped at the cap,
            // inside reasoning, or inside a JSON value.
            let cutOff = capped || reasoningNote != nil || ReplyParser.endsInsideJSON(Array(text.utf8))
            return Result(ops: [], notes: notes, foundOps: false, cutOff: cutOff)
        }
        if found.truncated { notes.append("the model's reply was cut off; its complete ops are kept") }
        var result = interpret(found.items, partialLast: found.lastIsPartial)
        result.notes = notes + result.notes
        result.cutOff = found.open
        return result
    }

    // MARK: - Interpreting ops

    private func interpret(_ items: [JSONValue], partialLast: Bool) -> Result {
        var kept: [DeltaOp] = []
        var keys = Set<String>()
        var dropped: [String] = []
        var droppedCount = 0
        /// Records a dropped op; only the first lines are formatted (a huge reply may drop thousands).
        func drop(_ label: String, _ item: JSONValue?, _ reason: String) {
            droppedCount += 1
            guard dropped.count < options.maxReportLines else { return }
            dropped.append("\(label)\(item.map(describe) ?? ""): \(reason)")
        }
        var opNotes: [String] = []
        var fates: [Item] = []
        for (index, item) in items.enumerated() {
            let label = "op \(index + 1)"
            let exchange = citedExchange(item)
            if partialLast, index == items.count - 1 {
                drop(label, nil, "cut off by the end of the reply")
                fates.append(Item(exchange: exchange, fate: .cutOff))
                continue
            }
            switch readOp(item) {
            case let .failure(reason):
                drop(label, item, reason)
                fates.append(Item(exchange: exchange, fate: .dropped))
            case let .success((op, opNote)):
                let key = dedupKey(op)
                if keys.contains(key) {
                    drop(label, item, "duplicate of an earlier op")
                    fates.append(Item(exchange: exchange, fate: .dropped))
                    continue
                }
                // Only a well-formed op counts against the limit (and is carried over).
                if kept.count >= options.maxOps {
                    drop(label, item, "over the limit of \(options.maxOps) ops per delta")
                    fates.append(Item(exchange: exchange, fate: .overLimit))
                    continue
                }
                keys.insert(key)
                kept.append(op)
                fates.append(Item(exchange: exchange, fate: .kept))
                if let opNote { opNotes.append("\(label): \(opNote)") }
            }
        }
        var notes: [String] = []
        notes += dropped.map { "dropped \($0)" }
        if droppedCount > dropped.count { notes.append("… and \(droppedCount - dropped.count) more dropped ops") }
        notes += opNotes.prefix(options.maxReportLines)
        if opNotes.count > options.maxReportLines {
            notes.append("… and \(opNotes.count - options.maxReportLines) more notes on ops")
        }
        if droppedCount > 0 {
            notes.append("kept \(kept.count) of \(items.count) ops from the model's reply; dropped \(droppedCount)")
        }
        return Result(ops: kept, notes: notes, foundOps: true, items: fates)
    }

    private func dedupKey(_ op: DeltaOp) -> String {
        func norm(_ s: String?) -> String { (s ?? "").lowercased().split(whereSeparator: { $0 == " " }).joined(separator: " ") }
        return "\(op.kind.rawValue)\u{1}\(norm(op.section))\u{1}\(norm(op.text))\u{1}\(norm(op.old))"
    }

    /// ` (add "Rust develo…")` — enough to recognise an op in a report, redacted.
    private func describe(_ item: JSONValue) -> String {
        guard case .object = item else { return "" }
        let kind = firstString(item, ReplyParser.kindKeys) ?? "?"
        let what = firstString(item, ReplyParser.textKeys) ?? firstString(item, ReplyParser.oldKeys)
        guard let what else { return " (\(ReplyParser.short(kind, 20)))" }
        return " (\(ReplyParser.short(kind, 20)) \"\(ReplyParser.short(Redactor.redact(what), 40))\")"
    }

    static let kindKeys = ["op", "action", "type", "operation"]
    static let sectionKeys = ["section", "category", "heading"]
    static let textKeys = ["text", "value", "new", "content", "fact", "new_text"]
    static let oldKeys = ["old", "from", "old_text", "previous", "match", "target"]
    static let citationKeys = ["ex", "exchange", "source", "ref", "citation"]
    static let containerKeys = ["ops", "changes", "operations", "updates", "edits", "delta"]

    static let kindNames: [String: DeltaOp.Kind] = [
        "add": .add, "insert": .add, "append": .add, "create": .add, "new": .add,
        "replace": .replace, "update": .replace, "modify": .replace, "change": .replace, "edit": .replace, "set": .replace,
        "remove": .remove, "delete": .remove, "drop": .remove, "forget": .remove,
    ]

    private enum Read {
        case success((DeltaOp, String?))
        case failure(String)
    }

    private func firstValue(_ item: JSONValue, _ keys: [String]) -> (String, JSONValue)? {
        guard case let .object(pairs) = item else { return nil }
        for key in keys {
            if let pair = pairs.first(where: { $0.0.lowercased() == key }), !pair.1.isNull { return (key, pair.1) }
        }
        return nil
    }

    private func firstString(_ item: JSONValue, _ keys: [String]) -> String? {
        firstValue(item, keys)?.1.stringValue
    }

    private func readOp(_ item: JSONValue) -> Read {
        guard case .object = item else { return .failure("not a JSON object") }
        guard let (kindKey, kindValue) = firstValue(item, ReplyParser.kindKeys) else { return .failure("no \"op\"") }
        guard let kindText = kindValue.stringValue else { return .failure("\"\(kindKey)\" is not a string") }
        guard let kind = ReplyParser.kindNames[kindText.trimmingWhitespace().lowercased()] else {
            return .failure("unknown op \"\(ReplyParser.short(kindText, 20))\"")
        }

        guard let (sectionKey, sectionValue) = firstValue(item, ReplyParser.sectionKeys) else { return .failure("no \"section\"") }
        guard let rawSection = sectionValue.stringValue else { return .failure("\"\(sectionKey)\" is not a string") }
        var section = ReplyParser.normalized(rawSection)
        while section.hasPrefix("#") { section = String(section.dropFirst()).trimmingWhitespace() }
        guard !section.isEmpty else { return .failure("empty \"section\"") }
        guard section.unicodeScalars.count <= options.maxSectionChars else {
            return .failure("section name longer than \(options.maxSectionChars) characters")
        }
        if let known = sections.first(where: { $0.lowercased() == section.lowercased() }) { section = known }

        var text: String?
        if let (key, value) = firstValue(item, ReplyParser.textKeys) {
            guard let s = value.stringValue else { return .failure("\"\(key)\" is not a string") }
            text = ReplyParser.bulletText(s)
        }
        var old: String?
        if let (key, value) = firstValue(item, ReplyParser.oldKeys) {
            guard let s = value.stringValue else { return .failure("\"\(key)\" is not a string") }
            old = ReplyParser.bulletText(s)
        }
        switch kind {
        case .add:
            guard let t = text, !t.isEmpty else { return .failure("\"add\" without \"text\"") }
            old = nil
        case .replace:
            guard let t = text, !t.isEmpty else { return .failure("\"replace\" without \"text\"") }
            guard let o = old, !o.isEmpty else { return .failure("\"replace\" without \"old\"") }
        case .remove:
            if old == nil || old!.isEmpty { old = text }
            guard let o = old, !o.isEmpty else { return .failure("\"remove\" without \"old\"") }
            text = nil
        }
        if let old, old.unicodeScalars.count > options.maxOldChars {
            return .failure("old is \(old.unicodeScalars.count) characters, over the limit of \(options.maxOldChars)")
        }
        if let text, Redactor.looksLikeSecret(text) { return .failure("text looks like a secret") }
        if let old, Redactor.looksLikeSecret(old) { return .failure("old looks like a secret") }
        if Redactor.looksLikeSecret(section) { return .failure("section looks like a secret") }
        var notes: [String] = []
        if let long = text, long.unicodeScalars.count > options.maxOpChars {
            let short = long.shortenedAtWord(to: options.maxOpChars)
            text = short
            notes.append("its text of \(long.unicodeScalars.count) characters is over the limit of \(options.maxOpChars): shortened to \"\(ReplyParser.short(short, 60))\"")
        }

        var source: String?
        if let (key, value) = firstValue(item, ReplyParser.citationKeys) {
            if let id = citation(value) {
                source = id
            } else if exchangeIDs.count == 1 {
                source = exchangeIDs[0]
                notes.append("cites \"\(key)\": \(ReplyParser.short(ReplyParser.display(value), 20)), which is not an exchange of this batch; using the batch's only exchange")
            } else {
                notes.append("cites \"\(key)\": \(ReplyParser.short(ReplyParser.display(value), 20)), which is not an exchange of this batch; kept without a source")
            }
        } else if exchangeIDs.count == 1 {
            source = exchangeIDs[0]
        } else {
            notes.append("cites no exchange; kept without a source")
        }
        return .success((DeltaOp(kind: kind, section: section, text: text, old: old, source: source),
                         notes.isEmpty ? nil : notes.joined(separator: "; ")))
    }

    /// The exchange id a citation names: a number 1…N, as a number or text (`3`, `"[3]"`,
    /// `"ex 3"`, `"#3"`), or an exchange id of the batch.
    func citation(_ value: JSONValue) -> String? {
        citationNumber(value).map { exchangeIDs[$0 - 1] }
    }

    /// The number (1…N) of the exchange a citation names, or nil.
    func citationNumber(_ value: JSONValue) -> Int? {
        switch value {
        case let .number(n):
            guard n.isFinite, n == n.rounded(), n >= 1, n <= Double(exchangeIDs.count) else { return nil }
            return Int(n)
        case let .string(s):
            let trimmed = s.trimmingWhitespace()
            if let index = exchangeIDs.firstIndex(of: trimmed) { return index + 1 }
            var core = Substring(trimmed.lowercased())
            for word in ["exchange", "ex"] where core.hasPrefix(word) { core = core.dropFirst(word.count); break }
            let digits = core.filter { !" []#().:".contains($0) }
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 1, n <= exchangeIDs.count else {
                return nil
            }
            return n
        case let .array(items):
            return items.first.flatMap(citationNumber)
        default:
            return nil
        }
    }

    /// The exchange an op of the reply cites, read even from an op that is dropped or cut
    /// off; in a batch of one exchange, that exchange.
    func citedExchange(_ item: JSONValue) -> Int? {
        if exchangeIDs.count == 1 { return 1 }
        return firstValue(item, ReplyParser.citationKeys).flatMap { citationNumber($0.1) }
    }
}
