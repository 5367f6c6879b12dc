/// One change in a bullet's life: the journal line that made it, and what it left.
public struct ProvenanceEvent: Equatable, Sendable {
    public var change: Int
    public var action: String
    public var kind: BulletChange.Kind
    /// The journal line's time (for a hand edit: when the profile file was last written).
    public var time: String
    /// The bullet's wording after this event.
    public var text: String
    public var model: String?
    /// The exchanges it came from (learned changes), with what the journal kept of them.
    public var exchanges: [SourceExchange]

    /// Learned from exchanges rather than written by the user.
    public var isLearned: Bool { action == "update" || action == "backfill" }

    /// What "the present wins" compares an op's exchange time with: for a learned change,
    /// the newest of its exchanges' times (nil when none is known); for a change by hand
    /// (edit, load, undo, forget, hand edit), the change's own time.
    public var informationTime: Double? {
        guard isLearned else { return Timestamp.seconds(time) }
        return exchanges.compactMap { $0.datetime.flatMap(Timestamp.seconds) }.max()
    }

    var json: JSONValue {
        .object([("change", .number(Double(change))), ("action", .string(action)), ("kind", .string(kind.rawValue)),
                 ("time", .string(time)), ("text", .string(text)), ("model", model.map { .string($0) } ?? .null),
                 ("exchanges", .array(exchanges.map(\.json)))])
    }

    init?(json: JSONValue) {
        guard case let .number(change)? = json["change"], let action = json["action"]?.stringValue,
              let kind = json["kind"]?.stringValue.flatMap(BulletChange.Kind.init(rawValue:)),
              let text = json["text"]?.stringValue else { return nil }
        self.init(change: Int(change), action: action, kind: kind, time: json["time"]?.stringValue ?? "", text: text,
                  model: json["model"]?.stringValue,
                  exchanges: (json["exchanges"]?.arrayValue ?? []).compactMap(SourceExchange.init(json:)))
    }

    init(change: Int, action: String, kind: BulletChange.Kind, time: String, text: String, model: String?,
         exchanges: [SourceExchange]) {
        self.change = change
        self.action = action
        self.kind = kind
        self.time = time
        self.text = text
        self.model = model
        self.exchanges = exchanges
    }
}

/// Where one bullet of the profile came from: every change that wrote it, oldest first
/// (the first added it; later ones reworded it — the earlier wordings `why` lists).
public struct BulletRecord: Equatable, Sendable {
    public let section: String
    /// `ProfileDocument.sectionKey(section)`, worked out once (see `ProfileBullet`).
    public let sectionKey: String
    public var text: String
    public var events: [ProvenanceEvent]

    public var added: ProvenanceEvent? { events.first }
    public var lastChanged: ProvenanceEvent? { events.last }

    var json: JSONValue {
        .object([("section", .string(section)), ("text", .string(text)), ("events", .array(events.map(\.json)))])
    }

    /// `keys`: the section keys worked out so far, shared by the records read in one go.
    init?(json: JSONValue, keys: inout [String: String]) {
        guard let section = json["section"]?.stringValue, let text = json["text"]?.stringValue else { return nil }
        let key = keys[section] ?? ProfileDocument.sectionKey(section)
        keys[section] = key
        self.init(section: section, sectionKey: key, text: text,
                  events: (json["events"]?.arrayValue ?? []).compactMap(ProvenanceEvent.init(json:)))
    }

    init(section: String, text: String, events: [ProvenanceEvent]) {
        self.init(section: section, sectionKey: ProfileDocument.sectionKey(section), text: text, events: events)
    }

    private init(section: String, sectionKey: String, text: String, events: [ProvenanceEvent]) {
        self.section = section
        self.sectionKey = sectionKey
        self.text = text
        self.events = events
    }
}

/// The bullets the last recorded change left, each with its provenance: the journal
/// replayed (`apply`). Derived, never the source of truth — `ProvenanceCache` keeps a
/// copy and rebuilds it from the journal whenever it is missing or behind.
public struct Provenance: Equatable, Sendable {
    /// In profile order as of the last commit (a replay appends new bullets at the end of
    /// their section).
    public var records: [BulletRecord] = []
    /// The id of the last change applied (0: none).
    public var lastID = 0
    /// The SHA-256 of the profile the last change left, when its line says (lines from
    /// before bullet-level history do not; nil also stands for "no profile file").
    public var sha256: String?
    /// Whether the last line applied recorded `sha256` (an old line did not: then a hand
    /// edit can only be found by comparing bullets).
    public var knowsHash = false

    public init() {}

    /// The bullets as the journal says the profile holds them.
    public var bullets: [ProfileBullet] {
        records.map { ProfileBullet(section: $0.section, sectionKey: $0.sectionKey, text: $0.text) }
    }

    /// The record of the bullet `text` in section `section` (exact text first, then as
    /// tolerantly as mem-merge matches `old`).
    public func record(section: String, text: String) -> BulletRecord? {
        index(section: ProfileDocument.sectionKey(section), text: text).map { records[$0] }
    }

    func index(section key: String, text: String) -> Int? {
        if let exact = records.firstIndex(where: { $0.sectionKey == key && $0.text == text }) { return exact }
        let matcher = BulletMatcher(text)
        return records.firstIndex(where: { $0.sectionKey == key && matcher.matches($0.text) })
    }

    /// Applies one journal line. `replacedWith`: for an old whole-profile line that did not
    /// record its changes, the bullets it left if they can still be known (see
    /// `ProvenanceCache`); without them such a line changes nothing here.
    public mutating func apply(_ entry: JournalEntry, replacedWith: [ProfileBullet]? = nil) {
        defer {
            lastID = max(lastID, entry.id)
            sha256 = entry.sha256
            knowsHash = entry.recordsHash
        }
        var changes = entry.changes
        if changes == nil {
            if entry.action == .clear {
                changes = BulletDiff.changes(from: bullets, to: [], pairing: .position)
            } else if let replacedWith {
                changes = BulletDiff.changes(from: bullets, to: replacedWith, pairing: .position)
            }
        }
        for change in changes ?? [] {
            let event = { (text: String) in
                ProvenanceEvent(change: entry.id, action: entry.actionName, kind: change.kind, time: entry.time, text: text,
                                model: entry.isLearned ? entry.model : nil,
                                exchanges: entry.isLearned ? change.sources.map(entry.exchange) : [])
            }
            let key = ProfileDocument.sectionKey(change.section)
            switch change.kind {
            case .add:
                guard let text = change.text else { continue }
                insert(BulletRecord(section: change.section, text: text, events: [event(text)]))
            case .replace:
                guard let text = change.text, let old = change.old else { continue }
                if let i = index(section: key, text: old) {
                    records[i].text = text
                    records[i].events.append(event(text))
                } else {
                    insert(BulletRecord(section: change.section, text: text, events: [event(text)]))
                }
            case .remove:
                guard let old = change.old, let i = index(section: key, text: old) else { continue }
                records.remove(at: i)
            }
        }
    }

    /// Puts a new record after the last one of its section (or at the end).
    private mutating func insert(_ record: BulletRecord) {
        if let last = records.lastIndex(where: { $0.sectionKey == record.sectionKey }) {
            records.insert(record, at: last + 1)
        } else {
            records.append(record)
        }
    }

    /// Orders the records as the profile's bullets are (after a commit, so that a later
    /// hand edit pairs reworded bullets by position).
    public mutating func align(to bullets: [ProfileBullet]) {
        var remaining = records
        var ordered: [BulletRecord] = []
        for bullet in bullets {
            if let i = remaining.firstIndex(where: { $0.sectionKey == bullet.sectionKey && $0.text == bullet.text }) {
                ordered.append(remaining.remove(at: i))
            }
        }
        records = ordered + remaining
    }

    var json: JSONValue {
        .object([("last_id", .number(Double(lastID))), ("sha256", sha256.map { .string($0) } ?? .null),
                 ("knows_hash", .bool(knowsHash)), ("bullets", .array(records.map(\.json)))])
    }

    init?(json: JSONValue) {
        guard case let .number(last)? = json["last_id"], let list = json["bullets"]?.arrayValue else { return nil }
        lastID = Int(last)
        sha256 = json["sha256"]?.stringValue
        if case let .bool(known)? = json["knows_hash"] { knowsHash = known }
        var keys: [String: String] = [:]
        records = list.compactMap { BulletRecord(json: $0, keys: &keys) }
    }
}
