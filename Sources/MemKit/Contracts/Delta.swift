/// One change to one bullet of one profile section, as DESIGN.md fixes it.
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
    /// it), so a merge can tell an older statement from a newer fact (contract C2).
    /// Optional: deltas written before it existed, and ops with no source, have none.
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

/// What mem-propose prints and mem-merge reads: the ops for a batch of exchanges and how
/// far that batch reached (`through`, a cursor), so applying it can move the cursor.
public struct Delta: Equatable, Sendable {
    public var ops: [DeltaOp]
    public var sources: [String]
    public var through: String?
    public var model: String?

    public init(ops: [DeltaOp], sources: [String] = [], through: String? = nil, model: String? = nil) {
        self.ops = ops
        self.sources = sources
        self.through = through
        self.model = model
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("ops", .array(ops.map(\.json))),
            ("sources", .array(sources.map { .string($0) })),
        ]
        pairs.append(("through", through.map { .string($0) } ?? .null))
        pairs.append(("model", model.map { .string($0) } ?? .null))
        return .object(pairs)
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
