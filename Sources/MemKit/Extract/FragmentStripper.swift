/// Recovers what the user typed from the text llm sent, which has fragment contents in
/// front. Works on UTF-8 bytes: SQLite and Python count code points, Swift's `String`
/// counts grapheme clusters, and a fragment ending in a combining mark would otherwise
/// not be a "prefix" of the text it starts.
enum FragmentStripper {
    /// llm 0.36 builds the user message as `"\n".join(fragments + [prompt])`. Strip the
    /// known fragments in order, each with its `\n`; what is left is the typed prompt.
    /// Only a prefix is removed, so typed words equal to a fragment's text survive.
    static func typedPrompt(from text: String, promptFragments: [String]) -> String {
        if promptFragments.isEmpty { return text }
        var rest = Array(text.utf8)[...]
        for fragment in promptFragments {
            let f = Array(fragment.utf8)
            guard rest.hasPrefix(f) else { break }
            rest = rest.dropFirst(f.count)
            if rest.first == 0x0A { rest = rest.dropFirst() }
        }
        return String(decoding: rest, as: UTF8.self)
    }

    /// llm 0.36 builds the system prompt as `"\n\n".join(bit.strip() for bit in
    /// system_fragments + [system])`, skipping empty bits. Strip leading bits that equal a
    /// known system fragment (stripped) and return the rest: the `-s` text.
    static func typedSystem(from text: String, systemFragments: [String]) -> String {
        let candidates = systemFragments
            .map { Array($0.trimmingWhitespace().utf8) }
            .filter { !$0.isEmpty }
            .sorted { $0.count > $1.count }
        if candidates.isEmpty { return text }
        var rest = Array(text.utf8)[...]
        var progress = true
        while progress && !rest.isEmpty {
            progress = false
            for c in candidates where rest.hasPrefix(c) {
                let after = rest.dropFirst(c.count)
                if after.isEmpty {
                    rest = after
                } else if after.hasPrefix([0x0A, 0x0A]) {
                    rest = after.dropFirst(2)
                } else {
                    continue
                }
                progress = true
                break
            }
        }
        return String(decoding: rest, as: UTF8.self)
    }
}
