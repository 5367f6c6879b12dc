/// The text mem-render prints and the `llm` wrapper injects as a system fragment, with
/// what it left out to fit the budget, so the user can be told (stderr, `--stats`,
/// `status`, the notice at the prompt).
public struct RenderedFragment: Equatable, Sendable {
    /// The whole fragment, ending with a newline; empty when there is nothing to inject.
    public var text: String
    /// The budget it was rendered for, in characters.
    public var maxChars: Int
    /// Per section (`BulletRanking.groups`): its bullets with text, and how many were injected.
    public var sections: [SectionCount]
    /// Bullets left out to fit `maxChars`, in document order (their text).
    public var droppedBullets: [String]
    /// Other lines (prose, tables, code…) left out, from the end, to fit `maxChars`.
    public var droppedLines: Int

    public struct SectionCount: Equatable, Sendable {
        /// The heading's text; nil for bullets before any heading.
        public var name: String?
        public var bullets: Int
        public var injected: Int
    }

    public var isEmpty: Bool { text.isEmpty }

    /// Bullets with text in the profile.
    public var totalBullets: Int { sections.reduce(0) { $0 + $1.bullets } }
    /// Of those, the ones in `text`.
    public var injectedBullets: Int { sections.reduce(0) { $0 + $1.injected } }
    /// Whether everything the profile says is in the fragment.
    public var isComplete: Bool { droppedBullets.isEmpty && droppedLines == 0 }

    /// The fragment's length as counted against `maxChars`.
    public var chars: Int { text.unicodeScalars.count }

    /// What a command reports on stderr about what was left out (nothing when nothing was):
    /// `left out 3 of 40 bullets to fit 4000 characters: 'a', 'b', 'c'`.
    public func reportLines() -> [String] {
        var lines: [String] = []
        if !droppedBullets.isEmpty {
            let count = droppedBullets.count
            var list = droppedBullets.prefix(10).map { "'\(ProfileMerger.shorten($0, to: 60))'" }.joined(separator: ", ")
            if count > 10 { list += " and \(count - 10) more" }
            lines.append("left out \(count) of \(totalBullets) bullet\(totalBullets == 1 ? "" : "s") to fit \(maxChars) characters: \(list)")
        }
        if droppedLines > 0 {
            lines.append("left out \(droppedLines) other line\(droppedLines == 1 ? "" : "s") from the end to fit \(maxChars) characters")
        }
        if text.isEmpty, !isComplete {
            lines.append("nothing fits in \(maxChars) characters; printing nothing")
        }
        return lines
    }

    /// One line for people (`mem-render --stats`, shown as-is by `llm-memory status`):
    /// `48 of 300 bullets injected (3987 of 4000 characters; the least recently changed in each section are left out)`.
    public var summary: String {
        let total = totalBullets
        let noun = total == 1 ? "bullet" : "bullets"
        if text.isEmpty {
            if isComplete { return "nothing is injected (the profile has no content)" }
            return "0 of \(total) \(noun) injected: nothing fits in \(maxChars) characters"
        }
        let size = "\(chars) of \(maxChars) characters"
        if isComplete {
            return total == 1 ? "the 1 bullet injected (\(size))" : "all \(total) \(noun) injected (\(size))"
        }
        var text = "\(injectedBullets) of \(total) \(noun) injected (\(size)"
        if !droppedBullets.isEmpty { text += "; the least recently changed in each section are left out" }
        if droppedLines > 0 { text += "; \(droppedLines) other line\(droppedLines == 1 ? "" : "s") left out" }
        return text + ")"
    }

    /// The same, for scripts (`mem-render --json`).
    public var json: JSONValue {
        .object([
            ("bullets", .number(Double(totalBullets))),
            ("injected", .number(Double(injectedBullets))),
            ("chars", .number(Double(chars))),
            ("max_chars", .number(Double(maxChars))),
            ("complete", .bool(isComplete)),
            ("lines_left_out", .number(Double(droppedLines))),
            ("sections", .array(sections.map { section in
                .object([
                    ("name", section.name.map(JSONValue.string) ?? .null),
                    ("bullets", .number(Double(section.bullets))),
                    ("injected", .number(Double(section.injected))),
                ])
            })),
        ])
    }

    /// What the user should be told once, at the prompt, about this fragment: that part of
    /// the profile is being left out (nil when nothing is). Worded without counts, which change with
    /// every update, so the porcelain can tell "still the same situation" by comparing the
    /// line with the one it last showed.
    public var notice: String? {
        guard !isComplete else { return nil }
        return "the profile has outgrown the fragment's \(maxChars)-character budget "
            + "(\(FragmentBudget.variable)): part of it is left out of prompts"
    }
}
