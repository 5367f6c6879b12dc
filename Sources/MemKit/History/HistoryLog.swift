/// `mem-history log`: the profile's changes, newest first.
///
/// For people, one block per change: `change <id>  <local time>  <what did it>`, then one
/// line per bullet change (`+` added, `~` reworded old → new, `-` removed), then for a
/// learned change its exchanges (date, model, the user's words on one line, read from
/// logs.db, or what the journal kept when logs.db no longer has them). A hand edit not
/// yet recorded comes first, marked so, with the id it will get.
///
/// `--json`: one object per line, every key always present —
/// `{"id", "time", "action", "recorded", "undoes", "model", "changes": [{"kind",
/// "section", "old", "text", "sources"}] (null: an old line that did not record them),
/// "exchanges": [{"id", "datetime", "model", "conversation", "words", "in_logs"}],
/// "forget", "unforget", "skipped": [{"op", "section", "text", "old", "reason"}]}`.
public enum HistoryLog {
    public static func render(_ entries: [JournalEntry], lookup: ExchangeLookup, style: HistoryStyle, json: Bool) -> String {
        var out = ""
        for (n, entry) in entries.enumerated() {
            let exchanges = exchangeIDs(entry).map { lookup.quote(entry.exchange($0), limit: 100) }
            if json {
                out += object(entry, exchanges).serialized() + "\n"
                continue
            }
            if n > 0 { out += "\n" }
            var head = style.id("change \(entry.id)") + "  " + HistoryText.localTime(entry.time) + "  " + style.bold(HistoryText.action(entry))
            if !entry.recorded { head += "  " + style.dim("(not yet recorded)") }
            out += head + "\n"
            if let changes = entry.changes {
                if changes.isEmpty, entry.forget.isEmpty, entry.unforget.isEmpty {
                    out += "    " + style.dim(entry.isLearned ? "(nothing learned)" : "(no bullet changed)") + "\n"
                }
                for change in changes { out += "    " + HistoryText.change(change, style) + "\n" }
            } else {
                out += "    " + style.dim("(the bullets it changed were not recorded: this line predates bullet-level history)") + "\n"
            }
            for text in entry.forget { out += "    " + style.removed("forgets " + HistoryText.quoted(text)) + "\n" }
            for text in entry.unforget { out += "    " + style.added("may learn again " + HistoryText.quoted(text)) + "\n" }
            for quoted in exchanges { out += "    from " + HistoryText.exchange(quoted, style) + "\n" }
            for (op, reason) in entry.skipped {
                let what = op.text ?? op.old ?? ""
                out += "    " + style.dim("skipped \(op.kind.rawValue) " + HistoryText.quoted(what.shortened(to: 60)) + ": " + reason) + "\n"
            }
        }
        return out
    }

    /// The exchanges to show for a change: those its bullet changes came from.
    static func exchangeIDs(_ entry: JournalEntry) -> [String] {
        entry.isLearned ? entry.changeSources : []
    }

    static func object(_ entry: JournalEntry, _ exchanges: [ExchangeLookup.Quoted]) -> JSONValue {
        func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let changes: JSONValue = entry.changes.map { list in
            .array(list.map { change in
                .object([("kind", .string(change.kind.rawValue)), ("section", .string(change.section)),
                         ("old", opt(change.old)), ("text", opt(change.text)), ("sources", strings(change.sources))])
            })
        } ?? .null
        return .object([
            ("id", .number(Double(entry.id))), ("time", .string(entry.time)), ("action", .string(entry.actionName)),
            ("recorded", .bool(entry.recorded)), ("undoes", entry.undoes.map { .number(Double($0)) } ?? .null),
            ("model", entry.isLearned ? opt(entry.model) : .null), ("changes", changes),
            ("exchanges", .array(exchanges.map(\.json))), ("forget", strings(entry.forget)), ("unforget", strings(entry.unforget)),
            ("skipped", .array(entry.skipped.map { op, reason in
                .object([("op", .string(op.kind.rawValue)), ("section", .string(op.section)), ("text", opt(op.text)),
                         ("old", opt(op.old)), ("reason", .string(reason))])
            })),
        ])
    }
}
