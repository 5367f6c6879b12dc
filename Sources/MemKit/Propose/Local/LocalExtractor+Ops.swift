/// Facts become ops against the profile as it is: a fact it already holds gives nothing,
/// a single-valued fact replaces the bullet of its kind, "switched from X" rewrites the
/// bullet that mentions X, and "forget X" removes every bullet holding X's content words.
/// This is where the extractor touches the profile; the sentence reader never sees it.
extension LocalExtractor {
    func ops(for facts: [Fact], source: String) -> [DeltaOp] {
        var ops: [DeltaOp] = []
        for fact in facts {
            switch fact {
            case let .add(section, text, slot):
                if let op = addOrReplace(section: section, text: text, slot: slot, source: source) { ops.append(op) }
            case let .change(from, to, fallback, slot):
                if let from, let bullet = bullets.first(where: { LocalExtractor.mentions($0, from) }) {
                    let replaced = LocalExtractor.substitute(from, with: to, in: bullet.text) ?? fallback
                    if BulletMatcher.matches(replaced, bullet.text) { continue }
                    ops.append(DeltaOp(kind: .replace, section: bullet.section, text: replaced, old: bullet.text, source: source))
                } else if let op = addOrReplace(section: .personal, text: fallback, slot: slot, source: source) {
                    ops.append(op)
                }
            case let .remove(words):
                ops += removals(of: words, from: bullets, source: source)
            case let .done(words):
                ops += removals(of: words, from: bullets.filter { $0.section.lowercased().contains("project") }, source: source)
            }
        }
        return ops
    }

    /// Removals of every bullet of `candidates` that holds all the content words of `words`.
    func removals(of words: String, from candidates: [Bullet], source: String) -> [DeltaOp] {
        let content = LocalExtractor.contentWords(words)
        guard !content.isEmpty else { return [] }
        return candidates.filter { bullet in
            content.allSatisfy { word in bullet.words.contains { LocalExtractor.sameWord($0, word) } }
        }.map { DeltaOp(kind: .remove, section: $0.section, old: $0.text, source: source) }
    }

    /// An add, or a replace of the bullet of the same single-valued kind; nothing when the
    /// profile already holds the fact (tolerantly).
    func addOrReplace(section: Section, text: String, slot: Slot?, source: String) -> DeltaOp? {
        if bullets.contains(where: { BulletMatcher.matches($0.text, text) }) { return nil }
        if let slot, let existing = bullets.first(where: { LocalExtractor.isSlot(slot, $0.text) }) {
            return DeltaOp(kind: .replace, section: existing.section, text: text, old: existing.text, source: source)
        }
        return DeltaOp(kind: .add, section: section.rawValue, text: text, source: source)
    }

    /// Whether a bullet holds the single-valued fact `slot` (in any of the ways people and
    /// models write it: "Role:", "Occupation:", "Job:" …).
    static func isSlot(_ slot: Slot, _ text: String) -> Bool {
        let lower = text.lowercased().trimmingWhitespace()
        let prefixes: [String]
        switch slot {
        case .name: prefixes = ["name:", "name -"]
        case .role: prefixes = ["role:", "occupation:", "job:", "profession:", "job title:"]
        case .location: prefixes = ["lives in ", "based in ", "location:", "lives:", "home:"]
        case .employer: prefixes = ["works at ", "works for ", "employer:", "company:"]
        case .diet:
            // "Diet: vegetarian", or a bullet that is only the diet: "Vegetarian", "Is vegan".
            let words = BulletMatcher.normalize(text).split(separator: " ").map(String.init)
            if let last = words.last, ExtractorLexicon.diets.contains(last),
               words.count == 1 || (words.count == 2 && ["is", "a", "an"].contains(words[0])) { return true }
            prefixes = ["diet:"]
        case .pronouns: prefixes = ["pronouns:"]
        }
        return prefixes.contains { lower.hasPrefix($0) }
    }

    /// Whether a bullet mentions `phrase` as whole words.
    static func mentions(_ bullet: Bullet, _ phrase: String) -> Bool {
        let words = BulletMatcher.normalize(phrase).split(separator: " ").map(String.init)
        guard !words.isEmpty, words.count <= bullet.words.count else { return false }
        for start in 0...(bullet.words.count - words.count) where Array(bullet.words[start..<(start + words.count)]) == words {
            return true
        }
        return false
    }

    /// `text` with the first whole-word, case-insensitive occurrence of `old` replaced.
    static func substitute(_ old: String, with new: String, in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        let target = Array(old.lowercased().unicodeScalars)
        guard !target.isEmpty, scalars.count >= target.count else { return nil }
        func isWordy(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s.properties.numericType != nil || s == "+" || s == "#" }
        for start in 0...(scalars.count - target.count) {
            let slice = String(String.UnicodeScalarView(scalars[start..<(start + target.count)])).lowercased()
            guard Array(slice.unicodeScalars) == target else { continue }
            if start > 0, isWordy(scalars[start - 1]) { continue }
            let end = start + target.count
            if end < scalars.count, isWordy(scalars[end]) { continue }
            return String(String.UnicodeScalarView(scalars[..<start])) + new + String(String.UnicodeScalarView(scalars[end...]))
        }
        return nil
    }

    /// Words that do not identify a bullet: "forget that I use Vim" removes what holds
    /// "vim", not every bullet with "use" in it.
    static let functionWords: Set<String> = [
        "i", "me", "my", "mine", "myself", "am", "is", "are", "was", "were", "be", "been", "being", "a", "an", "the",
        "that", "this", "these", "those", "about", "of", "in", "at", "on", "for", "to", "from", "with", "by", "as",
        "and", "or", "but", "so", "do", "does", "did", "not", "no", "longer", "anymore", "any", "more", "use", "uses",
        "using", "used", "live", "lives", "living", "lived", "work", "works", "working", "worked", "like", "likes",
        "liked", "love", "loves", "enjoy", "enjoys", "prefer", "prefers", "have", "has", "had", "interest",
        "interests", "interested", "into", "fan", "anything", "everything", "something", "it", "stuff", "thing",
        "things", "fact", "facts", "all", "what", "said", "told", "you", "your", "now", "just", "really", "please",
        "forget", "remember", "based", "located", "stopped", "quit", "left", "name", "their", "there",
        "previous", "earlier", "before", "mentioned", "profile", "memory", "info", "information",
    ]

    /// The words that identify what to remove: lowercased, without function words.
    static func contentWords(_ phrase: String) -> [String] {
        BulletMatcher.normalize(phrase).split(separator: " ").map(String.init).filter { !functionWords.contains($0) }
    }

    /// Whether two words are the same up to a plural `s`: "forget my interest in cats"
    /// removes "Likes cat videos".
    static func sameWord(_ first: String, _ second: String) -> Bool {
        first == second || BulletText.singular(first) == BulletText.singular(second)
    }
}
