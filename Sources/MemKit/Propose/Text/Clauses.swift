/// Where clauses begin in a run of tokens: the gate and the extractor both tell "I live
/// in Lisbon" or "always answer in French" (words that open their own clause) from "like I
/// live in a cave" or "it always fails" (the same words inside someone else's clause).
extension Array where Element == Token {
    /// Whether the keys of `phrase` stand at `index`, word for word.
    func hasPhrase(_ phrase: [String], at index: Int) -> Bool {
        guard index >= 0, index + phrase.count <= count else { return false }
        for (offset, word) in phrase.enumerated() where self[index + offset].key != word { return false }
        return true
    }

    /// Whether a coordinator at `index` starts a clause with a subject of its own (or a
    /// question): "… at Acme and I live in Lisbon", "… Vim but my team …", "… and how do
    /// I …" — but not "Procter and Gamble", "hiking and photography".
    func startsNewClause(at index: Int) -> Bool {
        guard index >= 0, index + 1 < count, self[index].isWord, Lexicon.coordinators.contains(self[index].key) else {
            return false
        }
        return self[index + 1].isWord && Lexicon.clauseStarters.contains(self[index + 1].key)
    }

    /// Where the clause that goes on after `index` ends: at a new clause (`startsNewClause`),
    /// a clause mark other than the comma (`;`, `:`, a dash, a bracket), or `bounds`' end.
    /// A phrase captured after `index` never runs past it: "I work at Acme and I live in
    /// Lisbon" is about Acme, not "Acme and I". The comma is left to each capture, which
    /// may go past it ("Lisbon, Portugal") or not.
    func clauseEnd(after index: Int, in bounds: Range<Int>) -> Int {
        var end = Swift.max(index + 1, bounds.lowerBound)
        while end < bounds.upperBound {
            let token = self[end]
            if token.kind == .mark, token.key != ",", Lexicon.clauseMarks.contains(token.key) || token.endsSentence { break }
            if startsNewClause(at: end) { break }
            end += 1
        }
        return Swift.min(end, bounds.upperBound)
    }

    /// Whether the token at `index` opens a clause: nothing but `Lexicon.fillers` between
    /// it and the start of `bounds` (the whole text when nil) or a clause or sentence mark
    /// ("ok so always answer …", "…, based in Lisbon").
    ///
    /// `openers`: words that open a clause by themselves when right before the token. The
    /// extractor passes conjunctions and sentence adverbs for its subject "I" ("… but I
    /// live in Porto", "Currently I work at …"), where "I" shows the clause is new; the
    /// gate passes none, because its signs ("always", "based in", "moved to") are
    /// ordinary words inside a clause ("and it always fails").
    func opensClause(at index: Int, in bounds: Range<Int>? = nil, orAfter openers: Set<String> = []) -> Bool {
        let lowerBound = bounds?.lowerBound ?? 0
        if index > lowerBound, !openers.isEmpty, self[index - 1].isWord, openers.contains(self[index - 1].key) { return true }
        var before = index - 1
        while before >= lowerBound, self[before].isWord, Lexicon.fillers.contains(self[before].key) { before -= 1 }
        if before < lowerBound { return true }
        let mark = self[before]
        return mark.kind == .mark && (Lexicon.clauseMarks.contains(mark.key) || mark.endsSentence)
    }
}
