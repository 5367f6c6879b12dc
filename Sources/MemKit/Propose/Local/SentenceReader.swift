/// Reads the patterns of `LocalExtractor`'s table in one sentence of the user's own words.
///
/// A pattern starts only at a subject "I", "my", "we" or "our" that opens its clause and
/// is not preceded in the sentence by a word that makes it hypothetical or reported, or at an
/// imperative or framing ("remember …", "always …", "as a nurse, …") that opens the
/// sentence; what it captures ends with its clause (`SentenceReader+Captures.swift`).
/// Questions are read only in the clauses before the question itself. The "I …" patterns
/// are in `SentenceReader+FirstPerson.swift` (with what was begun, taken or finished in
/// `+Milestones.swift`, what the user speaks, plays, does and has in `+Activities.swift`),
/// "my …", imperatives and framings in `+Framings.swift`, "we …" and the user's team in
/// `+We.swift`.
struct SentenceReader {
    typealias Fact = LocalExtractor.Fact

    /// The sentence, without its closing `?` or `!`.
    let tokens: [Token]
    /// The sentence ends in `?` or starts with a question word or auxiliary.
    let isQuestion: Bool

    init(sentence: [Token]) {
        var tokens = sentence
        var question = false
        if let last = tokens.last, last.kind == .mark, last.key == "?" || last.key == "!" {
            question = last.key == "?"
            tokens.removeLast()
        }
        // "Don't ever …" is an imperative, "Do I …" a question.
        if let i = tokens.firstIndex(where: { $0.isWord }), SentenceReader.questionWords.contains(tokens[i].key),
           !(i + 1 < tokens.count && tokens[i + 1].key == "not") { question = true }
        self.tokens = tokens
        isQuestion = question
    }

    /// The facts the sentence states.
    func facts() -> [Fact] {
        var facts: [Fact] = []
        for clause in segments() {
            facts += read(clause)
        }
        return facts
    }

    /// The parts of the sentence to read: all of a statement; in a question, every clause
    /// but the last that does not itself start like a question.
    func segments() -> [Range<Int>] {
        guard isQuestion else { return [tokens.indices] }
        var parts: [Range<Int>] = []
        var start = 0
        for k in tokens.indices {
            let token = tokens[k]
            if token.kind == .mark && Lexicon.clauseMarks.contains(token.key) || tokens.startsNewClause(at: k) {
                if k > start { parts.append(start..<k) }
                start = k + 1
            }
        }
        // The last clause is the question itself.
        guard !parts.isEmpty else { return [] }
        return parts.filter { part in
            guard let first = part.first(where: { tokens[$0].isWord && !Lexicon.fillers.contains(tokens[$0].key) }) else {
                return false
            }
            return !SentenceReader.questionWords.contains(tokens[first].key)
        }
    }

    /// A sentence starting with one of these asks rather than tells ("Am I …", "Any tips …").
    static let questionWords: Set<String> = ["what", "how", "why", "when", "where", "who", "whom", "which", "whose",
                                             "is", "are", "am", "do", "does", "did", "can", "could", "should", "would",
                                             "will", "shall", "may", "might", "have", "has", "was", "were", "isn't",
                                             "any", "anyone", "wanna"]
    /// Words that open a clause by themselves right before a subject "I": the fillers and
    /// conjunctions and sentence adverbs ("… because I live …", "Currently I work …"). The
    /// gate's signs get no such openers (see `opensClause(at:in:orAfter:)`).
    static let openers: Set<String> = Lexicon.fillers.union([
        "plus", "because", "since", "as", "currently", "personally", "honestly", "basically", "fyi", "today", "lately",
        "recently", "though", "otherwise", "generally", "mostly", "usually", "nowadays", "context", "note", "cause", "cos",
        "hmm", "right", "sure", "thanks", "luckily", "unfortunately", "originally", "profession", "trade", "finally",
        "eventually", "fortunately", "thankfully", "sadly",
    ])

    /// Words that make every later "I" of the sentence hypothetical, reported, or part of a
    /// text to work on: suppositions, reported speech ("she said I …", "my wife thinks I'm
    /// …"), framings ("translate: I …", "a story where I …") and doubt ("maybe I'm …"). The
    /// gate reads only the word right before "we"/"our" (`Gate.suppositionsBeforeWe`): it
    /// lets a statement through when in doubt, the extractor stores nothing.
    static let blockers: Set<String> = Lexicon.suppositions.union([
        "says", "said", "saying", "told", "tell", "tells", "telling", "think", "thinks", "thought", "believe",
        "believes", "believed", "claim", "claims", "claimed", "mentioned", "mentions", "asked", "asks", "wrote",
        "writes", "stating", "states", "according", "translate", "translation", "dream", "dreamt", "dreamed", "story",
        "character", "scenario", "joke", "poem", "lyrics", "quote", "quoting", "sentence", "phrase", "letter", "email",
        "draft", "write", "compose", "reply", "respond", "guess", "maybe", "perhaps", "would", "could", "might",
        "should",
    ])

    // MARK: Reading a clause

    /// The facts of one clause (or, for "remember …", of the rest of the sentence).
    func read(_ range: Range<Int>) -> [Fact] {
        var facts: [Fact] = []
        let start = firstWord(from: range.lowerBound, in: range)
        // Imperatives and framings at the start of the clause.
        if let start {
            if let imperative = readImperative(at: start, in: range) { return imperative }
            facts += readAsA(at: start, in: range)
        }
        var k = range.lowerBound
        while k < range.upperBound {
            defer { k += 1 }
            guard tokens[k].isWord else { continue }
            switch tokens[k].key {
            case "i":
                guard opensClause(k, in: range), !blockedBefore(k) else { continue }
                facts += readSubject(at: k, in: range)
            case "my":
                guard opensClause(k, in: range), !blockedBefore(k) else { continue }
                facts += readMy(at: k, in: range)
            case "we":
                guard opensClause(k, in: range), !blockedBefore(k) else { continue }
                facts += readWe(at: k, in: range)
            case "our":
                guard opensClause(k, in: range), !blockedBefore(k) else { continue }
                facts += readTeam(noun: k + 1, in: range)
            case "forget":
                // "…, please forget about them": an imperative opening a later clause.
                guard tokens.opensClause(at: k, in: range), !blockedBefore(k) else { continue }
                facts += forgetting(at: k, in: range)
            default:
                continue
            }
        }
        return facts
    }

    /// The first word at or after `start` that is not a filler; nil when quoted or redacted
    /// text comes first (the clause is not the user's own).
    func firstWord(from start: Int, in range: Range<Int>) -> Int? {
        var j = start
        while j < range.upperBound, !tokens[j].isWord || Lexicon.fillers.contains(tokens[j].key) {
            if tokens[j].kind == .opaque { return nil }
            j += 1
        }
        return j < range.upperBound ? j : nil
    }

    /// Whether the subject at `subject` opens its clause: first in it, after a clause mark
    /// or fillers, right after an opener, or after a framing that opens the sentence ("in
    /// my spare time, I …", "at work we …"). "like I'm five", "when I run it", "that I'm"
    /// are not the user stating something.
    func opensClause(_ subject: Int, in range: Range<Int>) -> Bool {
        var before = subject - 1
        if before >= range.lowerBound, tokens[before].key == "," { before -= 1 }
        for frame in SentenceReader.framings where before - frame.count + 1 >= range.lowerBound
            && tokens.hasPhrase(frame, at: before - frame.count + 1) && tokens.opensClause(at: before - frame.count + 1, in: range) {
            return true
        }
        return tokens.opensClause(at: subject, in: range, orAfter: SentenceReader.openers)
    }

    /// Phrases that open a sentence and set its scene before the subject: "At work we use
    /// …", "In my spare time I …".
    static let framings: [[String]] = [["in", "my", "spare", "time"], ["in", "my", "free", "time"], ["at", "work"],
                                       ["at", "home"], ["these", "days"], ["for", "work"]]

    /// Whether a word earlier in the sentence makes the subject at `subject` hypothetical,
    /// reported or part of a text to work on ("if I …", "she said I …", "translate: I …").
    func blockedBefore(_ subject: Int) -> Bool {
        tokens[..<subject].contains { $0.isWord && SentenceReader.blockers.contains($0.key) }
    }

    /// Whether the sentence (the whole of it, not only the clause) talks about a failure:
    /// then tools and projects are task context.
    var isAboutTrouble: Bool {
        for k in tokens.indices where tokens[k].isWord {
            let w = tokens[k].key
            for trouble in ["error", "exception", "warning", "fail", "crash", "bug", "broken", "issue", "problem",
                            "wrong", "stuck", "traceback", "panic"] where w.contains(trouble) { return true }
        }
        return false
    }

    /// "no longer", "anymore", "any more": the clause takes a fact back, so it never adds.
    func hasNoLonger(_ range: Range<Int>) -> Bool {
        for k in range where tokens[k].isWord {
            if tokens[k].key == "anymore" { return true }
            if tokens[k].key == "longer", k > 0, tokens[k - 1].key == "no" { return true }
            if tokens[k].key == "more", k > 0, tokens[k - 1].key == "any", k + 1 == range.upperBound || !tokens[k + 1].isWord { return true }
        }
        return false
    }

    /// The key of the token at `index`, or "" outside the clause: patterns look ahead
    /// without bounds checks.
    func key(_ index: Int, _ range: Range<Int>) -> String {
        range.contains(index) ? tokens[index].key : ""
    }

    /// The first index at or after `start` that is not an adverb.
    func skipAdverbs(_ start: Int, _ range: Range<Int>) -> Int {
        var j = start
        while j < range.upperBound, tokens[j].isWord, Lexicon.adverbs.contains(tokens[j].key) { j += 1 }
        return j
    }
}
