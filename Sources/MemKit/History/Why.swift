/// `mem-history why TEXT` and `blame`: where bullets came from.
public enum Why {
    public struct Match: Sendable {
        public var bullet: ProfileBullet
        public var record: BulletRecord?
    }

    /// The bullets of the profile TEXT names (`BulletQuery`), with their provenance.
    public static func matches(_ text: String, in state: HistoryState) -> [Match] {
        let provenance = state.current
        return BulletQuery(text).select(state.document.profileBullets, text: \.text).map { bullet in
            Match(bullet: bullet, record: provenance.record(section: bullet.section, text: bullet.text))
        }
    }

    /// For people: per bullet, each change that wrote it — when, by what, and for a learned
    /// one the exchanges with the user's words (up to 400 characters, from logs.db); for a
    /// rewording, the wording before. `--json`: one object per bullet per line,
    /// `{"section", "text", "events": [{"change", "time", "action", "kind", "text",
    /// "previous", "model", "recorded", "exchanges": [{"id", "datetime", "model",
    /// "conversation", "words", "in_logs"}]}]}`.
    public static func render(_ matches: [Match], recordedThrough lastID: Int, lookup: ExchangeLookup,
                              style: HistoryStyle, json: Bool) -> String {
        var out = ""
        for (n, match) in matches.enumerated() {
            let events = match.record?.events ?? []
            if json {
                var previous: String?
                let list: [JSONValue] = events.map { event in
                    defer { previous = event.text }
                    return .object([
                        ("change", .number(Double(event.change))), ("time", .string(event.time)),
                        ("action", .string(event.action)), ("kind", .string(event.kind.rawValue)),
                        ("text", .string(event.text)), ("previous", previous.map { .string($0) } ?? .null),
                        ("model", event.model.map { .string($0) } ?? .null), ("recorded", .bool(event.change <= lastID)),
                        ("exchanges", .array(event.exchanges.map { lookup.quote($0, limit: 400).json })),
                    ])
                }
                out += JSONValue.object([("section", .string(match.bullet.section)), ("text", .string(match.bullet.text)),
                                         ("events", .array(list))]).serialized() + "\n"
                continue
            }
            if n > 0 { out += "\n" }
            let section = match.bullet.section.isEmpty ? "" : match.bullet.section + ": "
            out += style.bold(section + match.bullet.text) + "\n"
            if events.isEmpty { out += "  " + style.dim("(no history kept for it)") + "\n" }
            var previous: String?
            for event in events {
                let doer = event.isLearned ? event.action + (event.model.map { " (\($0))" } ?? "")
                    : event.action == "hand-edit" ? "hand edit" : event.action
                var line = "  " + style.id("change \(event.change)") + "  " + HistoryText.localTime(event.time) + "  "
                if event.kind == .replace, let previous {
                    line += "reworded by \(doer), from " + HistoryText.quoted(previous)
                } else {
                    line += (event.kind == .replace ? "written by " : "added by ") + doer
                }
                if event.change > lastID { line += "  " + style.dim("(not yet recorded)") }
                out += line + "\n"
                for kept in event.exchanges {
                    let quoted = lookup.quote(kept, limit: 400)
                    var about = [HistoryText.localTime(quoted.datetime)]
                    if let model = quoted.model { about.append(model) }
                    if let conversation = quoted.conversation { about.append("conversation \(conversation)") }
                    about.append("exchange \(quoted.id)")
                    out += "      from " + about.joined(separator: "  ") + "\n"
                    if !quoted.inLogs { out += "      " + style.dim("no longer in logs.db; the memory dir kept:") + "\n" }
                    out += "      " + (quoted.words.map(HistoryText.quoted) ?? style.dim("(no words kept)")) + "\n"
                }
                previous = event.text
            }
        }
        return out
    }

    /// `blame`: every line of the profile; beside each bullet's lines, the change that
    /// last wrote it (`#id date what`, `*` when not yet recorded). `--json`: one object per
    /// line, `{"line", "text", "bullet": null | {"section", "text", "change", "time",
    /// "action", "model", "recorded", "sources"}}`.
    public static func blame(_ state: HistoryState, style: HistoryStyle, json: Bool) -> String {
        let provenance = state.current
        let document = state.document
        var byLine: [Int: (ProfileBullet, ProvenanceEvent?)] = [:]
        for bullet in document.profileBullets {
            let event = provenance.record(section: bullet.section, text: bullet.text)?.lastChanged
            for line in bullet.lines { byLine[line] = (bullet, event) }
        }
        func note(_ event: ProvenanceEvent?) -> String {
            guard let event else { return "? (no history kept)" }
            let star = event.change > state.recorded.lastID ? "*" : ""
            let doer = event.isLearned ? event.action + (event.model.map { " (\($0))" } ?? "")
                : event.action == "hand-edit" ? "hand edit" : event.action
            return "#\(event.change)\(star) \(HistoryText.localTime(event.time).prefix(10)) \(doer)"
        }
        let notes = document.lines.indices.map { byLine[$0].map { note($0.1) } ?? "" }
        let width = notes.map(\.count).max() ?? 0
        var out = ""
        for (index, line) in document.lines.enumerated() {
            let text = String(decoding: line.content, as: UTF8.self)
            if json {
                var bullet: JSONValue = .null
                if let (found, event) = byLine[index] {
                    bullet = .object([
                        ("section", .string(found.section)), ("text", .string(found.text)),
                        ("change", event.map { .number(Double($0.change)) } ?? .null),
                        ("time", event.map { .string($0.time) } ?? .null), ("action", event.map { .string($0.action) } ?? .null),
                        ("model", event?.model.map { .string($0) } ?? .null),
                        ("recorded", .bool((event?.change ?? 0) <= state.recorded.lastID && event != nil)),
                        ("sources", .array((event?.exchanges ?? []).map { .string($0.id) })),
                    ])
                }
                out += JSONValue.object([("line", .number(Double(index + 1))), ("text", .string(text)),
                                         ("bullet", bullet)]).serialized() + "\n"
            } else {
                let padded = notes[index] + String(repeating: " ", count: width - notes[index].count)
                out += (notes[index].isEmpty ? padded : style.id(padded)) + " │ " + text + "\n"
            }
        }
        return out
    }
}
