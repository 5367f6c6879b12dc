/// Bullet text from the user's tokens: joined with natural spacing, tools and languages
/// spelled canonically, first person turned into the third ("my" → "their", "I have" →
/// "Has"), so a bullet reads as a fact about the user rather than as their words.
enum BulletText {
    /// Whether `text` is, or holds, a known language, tool or operating system: "moved to
    /// Neovim" is a tool change, "moved to Denver" a move.
    static func isKnownTool(_ text: String) -> Bool {
        let lower = text.lowercased()
        return ExtractorLexicon.languages[lower] != nil || ExtractorLexicon.tools[lower] != nil || ExtractorLexicon.operatingSystems.contains(lower)
            || lower.split(separator: " ").contains { ExtractorLexicon.tools[String($0)] != nil || ExtractorLexicon.languages[String($0)] != nil }
    }

    /// `words` without trailing filler and function words: "Rust a lot lol" → "Rust",
    /// "Python and" → "Python".
    static func droppingTrailingFiller(_ words: [Token]) -> [Token] {
        var words = words
        while let last = words.last, ExtractorLexicon.trailingFiller.contains(last.key) || ExtractorLexicon.functionTail.contains(last.key) {
            words.removeLast()
        }
        return words
    }

    /// A capitalised phrase or "the …": what a place or proper name looks like.
    static func isCapitalizedPhrase(_ text: String) -> Bool {
        text.unicodeScalars.first.map { $0.properties.isUppercase } ?? false
            || text.lowercased().hasPrefix("the ")
    }

    /// The head of a noun phrase: its words before the first preposition or relative word
    /// ("of" goes on: "a bunch of bugs" is bugs). "a book about incident response" →
    /// "a book".
    static func head(_ text: String) -> String {
        let words = text.split(separator: " ")
        let end = words.firstIndex { ExtractorLexicon.headEnds.contains($0.lowercased()) } ?? words.endIndex
        return words[..<end].joined(separator: " ")
    }

    /// A plural's singular, roughly: enough to match "bugs" with "bug".
    static func singular(_ w: String) -> String { w.count > 3 && w.hasSuffix("s") ? String(w.dropLast()) : w }

    /// Whether a word of `text` (or its singular) is in `words`.
    static func containsAny(_ text: String, _ words: Set<String>) -> Bool {
        BulletMatcher.normalize(text).split(separator: " ").contains { words.contains(String($0)) || words.contains(singular(String($0))) }
    }

    /// The word with its first letter uppercased.
    static func capitalized(_ word: String) -> String {
        guard let first = word.first else { return word }
        return String(first).uppercased() + word.dropFirst()
    }

    /// Joins tokens into text: no space before `,` `.` `;` `:` `!` `?` `)`, none after `(`;
    /// known languages and tools spelled canonically; "my" → "their".
    static func join(_ tokens: [Token]) -> String {
        var out = ""
        var previous: Token?
        for token in tokens {
            var text = token.text
            if token.kind == .word {
                if token.text.isEmpty { continue }  // the expanded part of a contraction (kept whole in the first part)
                if token.key == "my" {
                    text = "their"
                } else if token.key == "myself" {
                    text = "themselves"
                } else if let canonical = ExtractorLexicon.languages[token.key] ?? ExtractorLexicon.tools[token.key], token.key.count > 1 || token.isCapitalized {
                    text = canonical
                }
            }
            let attachesLeft = token.kind == .mark && [",", ".", ";", ":", "!", "?", ")", "/", "+"].contains(token.key)
            let attachesRight = previous.map { $0.kind == .mark && ["(", "/", "+"].contains($0.key) } ?? true
            if !out.isEmpty, !attachesLeft, !attachesRight { out += " " }
            out += text
            previous = token
        }
        return out.trimmingWhitespace()
    }

    /// "I'm allergic to peanuts" → "Allergic to peanuts"; "I have two cats" → "Has two
    /// cats"; "my birthday is …" → "Birthday is …"; others capitalised as they are.
    static func thirdPerson(_ tokens: [Token]) -> String? {
        // Quoted or redacted text inside: not the user's own fact to store.
        guard !tokens.contains(where: { $0.kind == .opaque }) else { return nil }
        var words = tokens
        while let last = words.last, last.kind == .mark { words.removeLast() }
        guard !words.isEmpty, words.count <= 24 else { return nil }
        var lead = ""
        if words.first?.key == "i" {
            words.removeFirst()
            // "I always deploy on Fridays" → "Always deploys on Fridays".
            var adverbs: [Token] = []
            while let first = words.first, first.isWord, Lexicon.adverbs.contains(first.key) || Lexicon.hedges.contains(first.key) {
                adverbs.append(first)
                words.removeFirst()
            }
            if !adverbs.isEmpty { lead = join(adverbs) + " " }
            guard let verb = words.first else { return nil }
            switch verb.key {
            case "am":
                words.removeFirst()
                if ["a", "an"].contains(words.first?.key ?? "") { words.removeFirst() }
                lead = lead.trimmingWhitespace()
            case "have":
                words.removeFirst()
                if words.first?.key == "got" { words.removeFirst() }
                lead += "has"
            case "do":
                words.removeFirst()
                if words.first?.key == "not" { words.removeFirst(); lead += "doesn't" } else { lead += "does" }
            case "can", "will", "would", "should", "must", "might", "could":
                words.removeFirst()
                if words.first?.key == "not" { words.removeFirst(); lead += verb.key == "can" ? "can't" : verb.key + " not" }
                else { lead += verb.key }
            default:
                words.removeFirst()
                lead += thirdPersonVerb(verb.text.isEmpty ? verb.key : verb.text.lowercased())
            }
        } else if words.first?.key == "my" {
            words.removeFirst()
        }
        // Remaining first person, as the third.
        for i in words.indices where words[i].isWord {
            switch words[i].key {
            case "i": words[i].text = "they"
            case "me": words[i].text = "them"
            case "am": words[i].text = words[i].text.isEmpty ? "" : "are"
            default: break
            }
        }
        var text = join(words)
        if !lead.isEmpty { text = text.isEmpty ? lead : lead + " " + text }
        while let last = text.last, ".!,;:".contains(last) { text.removeLast() }
        guard !text.isEmpty else { return nil }
        return capitalized(text)
    }

    /// The third-person singular of a verb: "deploy" → "deploys", "go" → "goes".
    static func thirdPersonVerb(_ verb: String) -> String {
        switch verb {
        case "have": return "has"
        case "do": return "does"
        case "go": return "goes"
        case "am": return "is"
        default: break
        }
        if verb.hasSuffix("s") || verb.hasSuffix("sh") || verb.hasSuffix("ch") || verb.hasSuffix("x") || verb.hasSuffix("z")
            || verb.hasSuffix("o") { return verb + "es" }
        if verb.hasSuffix("y"), verb.count > 1 {
            let beforeY = verb.dropLast().last!
            if !"aeiou".contains(beforeY) { return String(verb.dropLast()) + "ies" }
        }
        return verb + "s"
    }
}
