/// Facts become ops against the profile as the batch has left it so far (`BatchProfile`):
/// a fact it already holds gives nothing, a single-valued fact replaces the bullet of its
/// kind, "switched from X" rewrites the bullet that mentions X, and "forget X" removes
/// every bullet holding X's content words — whether that bullet is the profile's or was
/// learned earlier in the same batch. This is where the extractor touches the profile;
/// the sentence reader never sees it.
extension LocalExtractor {
    func fold(_ facts: [Fact], source: String, into batch: inout BatchProfile, notes: inout [String]) {
        for fact in facts {
            switch fact {
            case let .add(section, text, slot):
                addOrReplace(section: section, text: text, slot: slot, source: source, into: &batch, notes: &notes)
            case let .change(from, to, fallback, slot):
                if let from, let index = batch.bullets.firstIndex(where: { LocalExtractor.mentions($0, from) }) {
                    let bullet = batch.bullets[index]
                    let replaced = LocalExtractor.substitute(from, with: to, in: bullet.text) ?? fallback
                    if BulletMatcher.matches(replaced, bullet.text) { continue }
                    replace(index, with: replaced, source: source, in: &batch, notes: &notes)
                } else {
                    addOrReplace(section: .personal, text: fallback, slot: slot, source: source, into: &batch, notes: &notes)
                }
            case let .remove(words):
                batch.remove(removals(of: words, in: batch, projectsOnly: false), source: source)
            case let .done(words):
                batch.remove(removals(of: words, in: batch, projectsOnly: true), source: source)
            }
        }
    }

    /// The indices of the bullets (of Current Projects only, for a project that is done)
    /// that hold all the content words of `words`. A profile bullet that looks like a
    /// secret is never named in an op, so it is not removed either.
    func removals(of words: String, in batch: BatchProfile, projectsOnly: Bool) -> [Int] {
        let content = LocalExtractor.contentWords(words)
        guard !content.isEmpty else { return [] }
        return batch.bullets.indices.filter { index in
            let bullet = batch.bullets[index]
            if projectsOnly, !bullet.section.lowercased().contains("project") { return false }
            if let original = bullet.original, Redactor.looksLikeSecret(original) { return false }
            return content.allSatisfy { word in bullet.words.contains { LocalExtractor.sameWord($0, word) } }
        }
    }

    /// An add, or a replace of the bullet of the same single-valued kind; nothing when the
    /// batch's profile already holds the fact (tolerantly).
    func addOrReplace(section: Section, text: String, slot: Slot?, source: String, into batch: inout BatchProfile,
                      notes: inout [String]) {
        if batch.holds(text) { return }
        if let slot, let index = batch.bullets.firstIndex(where: { LocalExtractor.isSlot(slot, $0.text) }) {
            replace(index, with: text, source: source, in: &batch, notes: &notes)
        } else if let text = fitting(text, notes: &notes) {
            batch.add(section: section.rawValue, text: text, source: source)
        }
    }

    /// Bullet `index` gets `text`, unless either is not fit to be in an op.
    func replace(_ index: Int, with text: String, source: String, in batch: inout BatchProfile, notes: inout [String]) {
        if let original = batch.bullets[index].original, Redactor.looksLikeSecret(original) { return }
        guard let text = fitting(text, notes: &notes) else { return }
        batch.replace(index, with: text, source: source)
    }

    /// `text` as a bullet may hold it: nil when it looks like a secret; shortened at a word
    /// boundary, and said, when it is over `maxOpChars` — the fact is kept in part rather
    /// than lost for lack of room, and not carried over (it would be just as long next pass).
    func fitting(_ text: String, notes: inout [String]) -> String? {
        if Redactor.looksLikeSecret(text) { return nil }
        let length = text.unicodeScalars.count
        guard length > options.maxOpChars else { return text }
        let short = text.shortenedAtWord(to: options.maxOpChars)
        notes.append("local: a fact of \(length) characters is over the limit of \(options.maxOpChars): shortened to \"\(short.shortened(to: 60))\"")
        return short
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
    static func mentions(_ bullet: BatchProfile.Bullet, _ phrase: String) -> Bool {
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
