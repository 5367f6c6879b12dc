#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `mem-history` writes for people (its `--json` forms are for scripts): times in
/// local time to the minute, one change per line with a sign (`+` added, `~` reworded,
/// `-` removed), and colour only when asked (`--color`, which the porcelain sets from
/// the terminal and `NO_COLOR`).
public struct HistoryStyle: Sendable {
    public var color: Bool

    public init(color: Bool) {
        self.color = color
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func id(_ text: String) -> String { paint(text, "33") }
    func added(_ text: String) -> String { paint(text, "32") }
    func removed(_ text: String) -> String { paint(text, "31") }
    func reworded(_ text: String) -> String { paint(text, "36") }
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }
}

enum HistoryText {
    /// `2026-11-25 10:02` in local time, for any time the memory meets (see
    /// `Timestamp.seconds`); the text itself when it is not one, "?" for none.
    static func localTime(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "?" }
        guard let seconds = Timestamp.seconds(text) else { return text }
        var t = time_t(seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        func pad(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday)) \(pad(parts.tm_hour)):\(pad(parts.tm_min))"
    }

    static func quoted(_ text: String) -> String { "\"\(text)\"" }

    /// `+ Interests: Likes bouldering`, `~ Personal Information: Role: Go → Role: Rust`.
    static func change(_ change: BulletChange, _ style: HistoryStyle) -> String {
        let section = change.section.isEmpty ? "" : change.section + ": "
        switch change.kind {
        case .add: return style.added("+ " + section + (change.text ?? ""))
        case .remove: return style.removed("- " + section + (change.old ?? ""))
        case .replace: return style.reworded("~ " + section + (change.old ?? "") + " → " + (change.text ?? ""))
        }
    }

    /// What made a change: `update (gpt-4o-mini)`, `undo of change 12`, `hand edit`.
    static func action(_ entry: JournalEntry) -> String {
        switch entry.action {
        case .update?, .backfill?:
            return entry.actionName + (entry.model.map { " (\($0))" } ?? "")
        case .undo?:
            return "undo" + (entry.undoes.map { " of change \($0)" } ?? "")
        case .handEdit?:
            return "hand edit"
        default:
            return entry.actionName
        }
    }

    /// One exchange on one line: `2026-11-25 10:01  gpt-4o-mini  "I've been …"`.
    static func exchange(_ quoted: ExchangeLookup.Quoted, _ style: HistoryStyle) -> String {
        var parts = [localTime(quoted.datetime)]
        if let model = quoted.model { parts.append(model) }
        parts.append(quoted.words.map(HistoryText.quoted) ?? style.dim("(no words kept)"))
        if !quoted.inLogs { parts.append(style.dim("(no longer in logs.db)")) }
        return parts.joined(separator: "  ")
    }
}
