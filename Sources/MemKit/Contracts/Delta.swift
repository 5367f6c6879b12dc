/// One change to one bullet of one profile section, as ARCHITECTURE.md and the README's mem-propose section fix it.
public struct DeltaOp: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case add, replace, remove
    }

    public var kind: Kind
    public var section: String
    /// The new bullet text (`add`, `replace`); nil for `remove`.
    public var text: String?
    /// The bullet being replaced or removed; nil for `add`.
    public var old: String?
    /// The exchange id the change came from, when known.
    public var source: String?
    /// `source_time`: when that exchange was held (its `datetime`, as mem-extract prints
    /// it), so a merge can tell an older statement from a newer fact (contract C2):
    /// mem-merge skips a `replace`/`remove` whose source is older than what the bullet it
    /// would change was learned from ("the present wins", `MergePolicy`). Optional: deltas
    /// written before it existed, and ops with no source, have none.
    public var sourceTime: String?

    public init(kind: Kind, section: String, text: String? = nil, old: String? = nil, source: String? = nil,
                sourceTime: String? = nil) {
        self.kind = kind
        self.section = section
        self.text = text
        self.old = old
        self.source = source
        self.sourceTime = sourceTime
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("op", .string(kind.rawValue)), ("section", .string(section))]
        if let old { pairs.append(("old", .string(old))) }
        if let text { pairs.append(("text", .string(text))) }
        if let source { pairs.append(("source", .string(source))) }
        if let sourceTime { pairs.append(("source_time", .string(sourceTime))) }
        return .object(pairs)
    }

    /// Reads an op of our own format strictly: a malformed op is a bad delta.
    public init(json: JSONValue) throws(MemError) {
        guard case .object = json else { throw MemError(.dataError, "delta op is not a JSON object") }
        guard let kindText = json["op"]?.stringValue, let kind = Kind(rawValue: kindText) else {
            throw MemError(.dataError, "delta op has no valid \"op\" (add, replace or remove)")
        }
        guard let section = json["section"]?.stringValue, !section.isEmpty else {
            throw MemError(.dataError, "delta op has no \"section\"")
        }
        let text = json["text"]?.stringValue
        let old = json["old"]?.stringValue
        switch kind {
        case .add:
            guard text != nil else { throw MemError(.dataError, "\"add\" op has no \"text\"") }
        case .replace:
            guard text != nil, old != nil else { throw MemError(.dataError, "\"replace\" op needs \"old\" and \"text\"") }
        case .remove:
            guard old != nil else { throw MemError(.dataError, "\"remove\" op has no \"old\"") }
        }
        self.init(kind: kind, section: section, text: text, old: old, source: json["source"]?.stringValue,
                  sourceTime: json["source_time"]?.stringValue)
    }
}

/// What a delta says about one exchange it was made from, so that the journal can keep
/// it (`mem-history why` shows it when logs.db no longer has the exchange): llm's ids and
/// time, and the user's words as `Redactor.snippet` leaves them (redacted, one line, at
/// most 120 characters). Nothing else of the exchange is ever kept.
public struct SourceExchange: Equatable, Sendable {
    public var id: String
    public var datetime: String?
    public var model: String?
    public var conversation: String?
    public var words: String?

    public init(id: String, datetime: String? = nil, model: String? = nil, conversation: String? = nil, words: String? = nil) {
        self.id = id
        self.datetime = datetime
        self.model = model
        self.conversation = conversation
        self.words = words
    }

    public var json: JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([("id", .string(id)), ("datetime", opt(datetime)), ("model", opt(model)),
                        ("conversation", opt(conversation)), ("words", opt(words))])
    }

    /// Tolerant: a record without an id is nil; other fields are optional.
    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, !id.isEmpty else { return nil }
        self.init(id: id, datetime: json["datetime"]?.stringValue, model: json["model"]?.stringValue,
                  conversation: json["conversation"]?.stringValue, words: json["words"]?.stringValue)
    }
}

/// What mem-propose prints and mem-merge reads: the ops for a batch of exchanges and how
/// far that batch reached (`through`, a cursor), so applying it can move the cursor.
///
/// Besides what a model proposed (`action` "update", the default, or "backfill"), a delta
/// is how every other change reaches mem-merge, the only writer of the profile:
/// `mem-history undo` prints one with `action` "undo" and `undoes` (the change id), and
/// `mem-history forget` one with `action` "forget" and the texts to add to (`forget`) or
/// take off (`unforget`) the forgotten list. `undone_sources`: exchange ids whose
/// learning an undo takes back, for the `undone` list a backfill honours. `exchanges`:
/// what the journal keeps of the exchanges the ops came from (see `SourceExchange`).
/// Fields left at their defaults are not printed, so a plain update's delta reads as before.
public struct Delta: Equatable, Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case update, backfill, undo, forget
    }

    public var ops: [DeltaOp]
    public var sources: [String]
    public var through: String?
    public var model: String?
    public var action: Action = .update
    public var undoes: Int?
    public var forget: [String] = []
    public var unforget: [String] = []
    public var undoneSources: [String] = []
    public var exchanges: [SourceExchange] = []

    public init(ops: [DeltaOp], sources: [String] = [], through: String? = nil, model: String? = nil,
                action: Action = .update) {
        self.ops = ops
        self.sources = sources
        self.through = through
        self.model = model
        self.action = action
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = []
        if action != .update { pairs.append(("action", .string(action.rawValue))) }
        if let undoes { pairs.append(("undoes", .number(Double(undoes)))) }
        pairs.append(("ops", .array(ops.map(\.json))))
        pairs.append(("sources", .array(sources.map { .string($0) })))
        pairs.append(("through", through.map { .string($0) } ?? .null))
        pairs.append(("model", model.map { .string($0) } ?? .null))
        if !forget.isEmpty { pairs.append(("forget", .array(forget.map { .string($0) }))) }
        if !unforget.isEmpty { pairs.append(("unforget", .array(unforget.map { .string($0) }))) }
        if !undoneSources.isEmpty { pairs.append(("undone_sources", .array(undoneSources.map { .string($0) }))) }
        if !exchanges.isEmpty { pairs.append(("exchanges", .array(exchanges.map(\.json)))) }
        return .object(pairs)
    }

    /// The datetime of exchange `id`, from the op that names it or from `exchanges`.
    public func sourceTime(of op: DeltaOp) -> String? {
        if let time = op.sourceTime { return time }
        guard let source = op.source else { return nil }
        return exchanges.first(where: { $0.id == source })?.datetime
    }

    public init(json: JSONValue) throws(MemError) {
        guard case .object = json else { throw MemError(.dataError, "delta is not a JSON object") }
        guard let opsValue = json["ops"]?.arrayValue else {
            throw MemError(.dataError, "delta has no \"ops\" array")
        }
        var ops: [DeltaOp] = []
        for (i, value) in opsValue.enumerated() {
            do {
                ops.append(try DeltaOp(json: value))
            } catch {
                throw MemError(.dataError, "delta op \(i + 1): \(error.message)")
            }
        }
        self.init(
            ops: ops,
            sources: (json["sources"]?.arrayValue ?? []).compactMap(\.stringValue),
            through: json["through"]?.stringValue,
            model: json["model"]?.stringValue)
        if let value = json["action"], !value.isNull {
            guard let name = value.stringValue, let action = Action(rawValue: name) else {
                throw MemError(.dataError, "delta has an unknown \"action\" (update, backfill, undo or forget)")
            }
            self.action = action
        }
        if let value = json["undoes"], !value.isNull {
            guard case let .number(n) = value, n >= 1, n == n.rounded(), n < 1e15 else {
                throw MemError(.dataError, "delta's \"undoes\" is not a change id (a whole number from 1)")
            }
            undoes = Int(n)
        }
        if undoes != nil, action != .undo { throw MemError(.dataError, "delta has \"undoes\" but its action is not \"undo\"") }
        func texts(_ key: String) -> [String] { (json[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        forget = texts("forget")
        unforget = texts("unforget")
        undoneSources = texts("undone_sources")
        exchanges = (json["exchanges"]?.arrayValue ?? []).compactMap(SourceExchange.init(json:))
    }

    /// Parses a delta from our own JSON text (strictly).
    public init(parsing bytes: [UInt8]) throws(MemError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw MemError(.dataError, "delta is not valid JSON: \(error.message) at byte \(error.offset)")
        }
        try self.init(json: value)
    }
}
