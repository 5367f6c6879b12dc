/// What one change did to one bullet, as the journal records it: the exact bullet texts
/// (not an op's tolerant `old`), so replaying the journal gives the bullets each commit
/// left, and the exchanges the change came from (for a learned change).
public struct BulletChange: Equatable, Sendable {
    /// The same three kinds as a delta's ops.
    public typealias Kind = DeltaOp.Kind

    public var kind: Kind
    /// The section's name as the profile spells it ("" for a bullet outside any section).
    public var section: String
    /// The bullet's text after the change (`add`, `replace`).
    public var text: String?
    /// The bullet's text before it (`replace`, `remove`).
    public var old: String?
    /// Ids of the exchanges it came from (learned changes only).
    public var sources: [String]

    public init(kind: Kind, section: String, text: String? = nil, old: String? = nil, sources: [String] = []) {
        self.kind = kind
        self.section = section
        self.text = text
        self.old = old
        self.sources = sources
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("kind", .string(kind.rawValue)), ("section", .string(section))]
        if let old { pairs.append(("old", .string(old))) }
        if let text { pairs.append(("text", .string(text))) }
        if !sources.isEmpty { pairs.append(("sources", .array(sources.map { .string($0) }))) }
        return .object(pairs)
    }

    /// Tolerant: a change that does not say what it changed is nil.
    public init?(json: JSONValue) {
        guard let kind = json["kind"]?.stringValue.flatMap(Kind.init(rawValue:)),
              let section = json["section"]?.stringValue else { return nil }
        let text = json["text"]?.stringValue
        let old = json["old"]?.stringValue
        switch kind {
        case .add: guard text != nil else { return nil }
        case .replace: guard text != nil, old != nil else { return nil }
        case .remove: guard old != nil else { return nil }
        }
        self.init(kind: kind, section: section, text: text, old: old,
                  sources: (json["sources"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    /// The change that takes this one back.
    public var inverse: BulletChange {
        switch kind {
        case .add: return BulletChange(kind: .remove, section: section, old: text)
        case .replace: return BulletChange(kind: .replace, section: section, text: old, old: text)
        case .remove: return BulletChange(kind: .add, section: section, text: old)
        }
    }

    /// The texts it touched (old and new).
    public var texts: [String] { [old, text].compactMap { $0 } }
}

/// One line of `history/journal.jsonl`, read tolerantly (the journal is the user's too,
/// and lines written before bullet-level history have fewer fields):
///
/// - `id`: the line's own, else its line number (lines before ids had none);
/// - `action`: update | backfill | edit | load | clear | undo | forget | hand-edit; an old
///   "merge" line reads as "update", any other name as a change made by hand;
/// - `changes`: the bullet changes; for an old merge line, what its applied ops did (by
///   their `effect`); nil for an old whole-profile line, which did not record them.
public struct JournalEntry: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case update, backfill, edit, load, clear, undo, forget
        case handEdit = "hand-edit"
    }

    public var id: Int
    public var time: String
    /// The action's name as written (an old "merge" as "update").
    public var actionName: String
    public var changes: [BulletChange]?
    public var exchanges: [SourceExchange]
    public var sources: [String]
    public var model: String?
    public var through: String?
    public var sha256: String?
    /// Whether the line records `sha256` (null included: no profile file); lines from
    /// before bullet-level history do not, and then a hand edit after them can only be
    /// found by comparing bullets.
    public var recordsHash: Bool
    public var previous: String?
    public var undoes: Int?
    public var forget: [String]
    public var unforget: [String]
    /// The ops of its delta that were not applied, with why (forgotten, the present wins,
    /// nothing matched …).
    public var skipped: [(op: DeltaOp, reason: String)]
    /// False for a hand edit found but not yet journalled (`HistoryState`).
    public var recorded: Bool

    public var action: Action? { Action(rawValue: actionName) }

    /// Learned from exchanges (an update or a backfill) rather than made by the user.
    public var isLearned: Bool { action == .update || action == .backfill }

    public init(id: Int, time: String, action: Action, changes: [BulletChange]?, recorded: Bool = true) {
        self.id = id
        self.time = time
        self.actionName = action.rawValue
        self.changes = changes
        self.exchanges = []
        self.sources = []
        self.forget = []
        self.unforget = []
        self.skipped = []
        self.recordsHash = true
        self.recorded = recorded
    }

    /// Reads a line; nil for one that is not a JSON object.
    public init?(line: [UInt8], number: Int?) {
        guard let value = try? JSONParser.parse(line), case .object = value else { return nil }
        self.init(json: value, number: number)
    }

    public init?(json value: JSONValue, number: Int?) {
        guard case .object = value else { return nil }
        if case let .number(n)? = value["id"], n >= 1, n < 1e15 {
            id = Int(n)
        } else if let number {
            id = number
        } else {
            return nil
        }
        time = value["time"]?.stringValue ?? ""
        let name = value["action"]?.stringValue ?? "update"
        actionName = name == "merge" ? "update" : name
        func strings(_ key: String) -> [String] { (value[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        exchanges = (value["exchanges"]?.arrayValue ?? []).compactMap(SourceExchange.init(json:))
        sources = strings("sources")
        model = value["model"]?.stringValue
        through = value["through"]?.stringValue
        sha256 = value["sha256"]?.stringValue
        recordsHash = value["sha256"] != nil
        previous = value["previous"]?.stringValue
        if case let .number(n)? = value["undoes"], n >= 1, n < 1e15 { undoes = Int(n) }
        forget = strings("forget")
        unforget = strings("unforget")
        skipped = (value["skipped"]?.arrayValue ?? []).compactMap { item in
            guard let op = item["op"].flatMap({ try? DeltaOp(json: $0) }) else { return nil }
            return (op, item["reason"]?.stringValue ?? "")
        }
        recorded = true
        if let list = value["changes"]?.arrayValue {
            changes = list.compactMap(BulletChange.init(json:))
        } else if name == "merge" {
            changes = JournalEntry.changes(ofApplied: value["applied"]?.arrayValue ?? [])
        } else {
            changes = nil
        }
    }

    /// What an old merge line's applied ops did, from each op and its `effect`.
    static func changes(ofApplied applied: [JSONValue]) -> [BulletChange] {
        applied.compactMap { value -> BulletChange? in
            guard let op = try? DeltaOp(json: value) else { return nil }
            let effect = value["effect"]?.stringValue ?? ""
            let sources = op.source.map { [$0] } ?? []
            switch op.kind {
            case .add:
                return BulletChange(kind: .add, section: op.section, text: op.text, sources: sources)
            case .replace where effect.hasPrefix("added"):
                return BulletChange(kind: .add, section: op.section, text: op.text, sources: sources)
            case .replace where effect.hasPrefix("removed"):
                return BulletChange(kind: .remove, section: op.section, old: op.old, sources: sources)
            case .replace:
                return BulletChange(kind: .replace, section: op.section, text: op.text, old: op.old, sources: sources)
            case .remove:
                return BulletChange(kind: .remove, section: op.section, old: op.old, sources: sources)
            }
        }
    }

    /// The exchange metadata the line kept for `id`, or just the id.
    public func exchange(_ id: String) -> SourceExchange {
        exchanges.first(where: { $0.id == id }) ?? SourceExchange(id: id)
    }

    /// The ids of the exchanges its changes came from, in order, once each.
    public var changeSources: [String] {
        var seen = Set<String>()
        return (changes ?? []).flatMap(\.sources).filter { seen.insert($0).inserted }
    }
}
