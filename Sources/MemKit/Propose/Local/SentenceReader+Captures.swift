/// Captures: the phrase a pattern keeps (a name, a role, an employer, a place, a tool, a
/// liked thing, a project, an instruction), cut where it stops being the user's fact —
/// at a stop word of its kind, a mark, quoted text, a new clause — trimmed of filler and
/// refused when it is deictic, about the assistant, evaluative or too long.
extension SentenceReader {
    /// The part of `range` a phrase captured from `start` may take: up to the end of its
    /// clause (`clauseEnd(after:in:)`), so a capture never runs into the next statement.
    func capture(from start: Int, in range: Range<Int>) -> Range<Int> {
        range.lowerBound..<tokens.clauseEnd(after: start, in: range)
    }

    /// The words from `start` up to a stop word, a mark or the end of `range` (at most
    /// `limit`), without trailing filler ("… a lot", "… and"); `end` is where the run stopped.
    func wordRun(from start: Int, in range: Range<Int>, limit: Int, stops: Set<String>) -> (words: [Token], end: Int) {
        var end = start
        var words: [Token] = []
        while end < range.upperBound, tokens[end].isWord, words.count < limit, !stops.contains(tokens[end].key) {
            words.append(tokens[end])
            end += 1
        }
        return (BulletText.droppingTrailingFiller(words), end)
    }

    /// "Hi, I'm Tomasz": a greeting right before the subject makes a capitalised word a name.
    func isGreeting(before subject: Int) -> Bool {
        var j = subject - 1
        while j >= 0, tokens[j].kind == .mark, [",", "!", "-"].contains(tokens[j].key) { j -= 1 }
        return j >= 0 && ["hi", "hello", "hey", "hiya", "greetings"].contains(tokens[j].key)
    }

    /// A name: one to three capitalised words (lowercase accepted only after "my name is",
    /// then capitalised). Titles such as `Dr.` are kept.
    func name(from j: Int, in range: Range<Int>, allowLowercase: Bool = false) -> String? {
        let range = capture(from: j, in: range)
        var words: [String] = []
        var k = j
        while k < range.upperBound, tokens[k].isWord, words.count < 4 {
            let w = tokens[k]
            if ExtractorLexicon.notNames.contains(w.key) || ExtractorLexicon.stopAfterName.contains(w.key) { break }
            if !w.isCapitalized {
                guard allowLowercase, words.count < 3 else { break }
            }
            words.append(w.isCapitalized ? w.text : BulletText.capitalized(w.text))
            k += 1
        }
        guard !words.isEmpty, words.count <= 3 || words.first?.hasSuffix(".") == true else { return nil }
        guard words.contains(where: { !$0.hasSuffix(".") }) else { return nil }
        return words.joined(separator: " ")
    }

    /// A role noun phrase after "a/an/the" at `j`: modifiers then a role word.
    func role(after j: Int, in range: Range<Int>) -> [Fact] {
        let range = capture(from: j, in: range)
        var k = j + 1
        var words: [Token] = []
        var lastRole: Int?
        while k < range.upperBound, tokens[k].isWord, words.count < 6, !ExtractorLexicon.stopAfterRole.contains(tokens[k].key) {
            words.append(tokens[k])
            if Lexicon.occupations.contains(tokens[k].key) || Lexicon.occupations.contains(BulletText.singular(tokens[k].key)) { lastRole = words.count }
            k += 1
        }
        guard let lastRole else { return [] }
        let rolePhrase = Array(words[..<lastRole])
        if rolePhrase.contains(where: { ExtractorLexicon.evaluative.contains($0.key) }) { return [] }
        var facts: [Fact] = [.add(section: .personal, text: "Role: \(BulletText.join(rolePhrase))", slot: .role)]
        // "… engineer at Spotify", "… postdoc position at UQ" (not "… teacher for 20 years")
        var after = j + 1 + lastRole
        if ExtractorLexicon.jobNouns.contains(key(after, range)) { after += 1 }
        if key(after, range) == "at" {
            facts += employer(after: after, preposition: key(after, range), in: range)
        }
        return facts
    }

    /// Any short noun phrase after "as" / "is": "I work as a freelance illustrator".
    func roleAny(after j: Int, in range: Range<Int>) -> [Fact] {
        let range = capture(from: j, in: range)
        var k = j + 1
        while ["a", "an", "the", "mostly", "mainly", "primarily", "basically"].contains(key(k, range)) { k += 1 }
        let (words, end) = wordRun(from: k, in: range, limit: 7, stops: ExtractorLexicon.stopAfterRole)
        k = end
        guard !words.isEmpty, words.count <= 5, !words.contains(where: { ExtractorLexicon.evaluative.contains($0.key) }),
              !ExtractorLexicon.deictic.contains(words[0].key) else { return [] }
        var facts: [Fact] = [.add(section: .personal, text: "Role: \(BulletText.join(words))", slot: .role)]
        if ["at", "for"].contains(key(k, range)) { facts += employer(after: k, preposition: key(k, range), in: range) }
        return facts
    }

    /// "at Acme", "for a small agency": a capitalised name, or "a/an/the" and a short
    /// phrase; "… as a pharmacist" after it is a role too.
    func employer(after j: Int, preposition: String, in range: Range<Int>) -> [Fact] {
        let range = capture(from: j, in: range)
        var k = j + 1
        var words: [Token] = []
        if ["a", "an", "the"].contains(key(k, range)) {
            words.append(tokens[k])
            k += 1
            while k < range.upperBound, tokens[k].isWord, words.count < 5, !ExtractorLexicon.stopAfterPlace.contains(tokens[k].key) {
                words.append(tokens[k])
                k += 1
            }
            guard words.count >= 2, !words.dropFirst().contains(where: { ExtractorLexicon.notEmployers.contains($0.key) }) else { return [] }
        } else {
            while k < range.upperBound, tokens[k].isWord, words.count < 5 {
                let w = tokens[k]
                if w.isCapitalized || w.key.first?.isNumber == true { words.append(w); k += 1; continue }
                if ["of", "&", "and"].contains(w.key), k + 1 < range.upperBound, tokens[k + 1].isCapitalized {
                    words.append(w); k += 1; continue
                }
                break
            }
            guard !words.isEmpty, !ExtractorLexicon.notEmployers.contains(words[0].key), words[0].key != "i",
                  words[0].text.contains(where: { $0.isLetter }) else { return [] }
        }
        var name = BulletText.join(words)
        // "a fintech startup in Berlin": the place is the employer's, kept with it. Not
        // `Lives in` — people work for employers in cities they do not live in.
        if key(k, range) == "in", let (place, end) = placeRun(after: k, in: range), !BulletText.isKnownTool(place) {
            name += " in \(place)"
            k = end
        }
        let facts: [Fact] = [.add(section: .personal, text: "Works \(preposition) \(name)", slot: .employer)]
        if key(k, range) == "as" { return facts + roleAny(after: k, in: range) }
        return facts
    }

    /// A place: capitalised words (with `of`, `de`, `upon` … between them), an optional
    /// leading "the", an optional ", Country".
    func place(after j: Int, in range: Range<Int>) -> String? {
        placeRun(after: j, in: range)?.place
    }

    /// "Lives in X" (the single-valued location) for the place after `j`.
    func livesIn(after j: Int, in range: Range<Int>) -> [Fact] {
        place(after: j, in: range).map { [.add(section: .personal, text: "Lives in \($0)", slot: .location)] } ?? []
    }

    /// A place and the index after it.
    func placeRun(after j: Int, in range: Range<Int>) -> (place: String, end: Int)? {
        let range = capture(from: j, in: range)
        var k = j + 1
        var words: [Token] = []
        if key(k, range) == "the", k + 1 < range.upperBound, tokens[k + 1].isCapitalized { words.append(tokens[k]); k += 1 }
        func capitalisedRun() {
            while k < range.upperBound, tokens[k].isWord, words.count < 5 {
                if tokens[k].isCapitalized, !ExtractorLexicon.notPlaces.contains(tokens[k].key) { words.append(tokens[k]); k += 1; continue }
                if ["of", "de", "do", "da", "del", "upon", "am", "on", "la", "le"].contains(tokens[k].key), !words.isEmpty,
                   k + 1 < range.upperBound, tokens[k + 1].isCapitalized { words.append(tokens[k]); k += 1; continue }
                break
            }
        }
        capitalisedRun()
        guard !words.isEmpty, words.last?.key != "the" else { return nil }
        // "Lisbon, Portugal"
        if key(k, range) == ",", k + 1 < range.upperBound, tokens[k + 1].isCapitalized, !ExtractorLexicon.notPlaces.contains(tokens[k + 1].key) {
            let save = words.count
            let comma = k
            k += 1
            var country: [Token] = []
            while k < range.upperBound, tokens[k].isWord, tokens[k].isCapitalized, country.count < 3 { country.append(tokens[k]); k += 1 }
            if k == range.upperBound || tokens[k].kind == .mark || ["and", "but", "so"].contains(tokens[k].key) {
                return (BulletText.join(Array(words[..<save])) + ", " + BulletText.join(country), k)
            }
            k = comma
        }
        return (BulletText.join(words), k)
    }

    /// "Vim", "Fly.io", "the Colemak layout": up to four words, up to a stop word.
    func shortName(after j: Int, in range: Range<Int>, stops: Set<String>) -> (String, Int)? {
        let range = capture(from: j, in: range)
        let (words, k) = wordRun(from: j + 1, in: range, limit: 5, stops: stops)
        guard !words.isEmpty, words.count <= 4, !ExtractorLexicon.deictic.contains(words[0].key),
              !words.contains(where: { ExtractorLexicon.secondPerson.contains($0.key) }) else { return nil }
        if ["the", "a", "an"].contains(words[0].key), words.count < 2 || !words[1].isCapitalized { return nil }
        guard words[0].isCapitalized || BulletText.isKnownTool(words[0].key) || ["the", "a", "an"].contains(words[0].key) else { return nil }
        return (BulletText.join(words), k)
    }

    /// "Uses X": a tool, language or setup of up to six words.
    func uses(after j: Int, in range: Range<Int>) -> [Fact] {
        usesPhrase(after: j, in: range).map { [.add(section: .personal, text: "Uses \($0)", slot: nil)] } ?? []
    }

    /// The tool, language or setup after `j`: up to six words, not deictic, not about the
    /// assistant; "a/an/the" only before a capitalised name.
    func usesPhrase(after j: Int, in range: Range<Int>) -> String? {
        let range = capture(from: j, in: range)
        let (words, _) = wordRun(from: j + 1, in: range, limit: 7, stops: ExtractorLexicon.stopAfterTool)
        guard let first = words.first, words.count <= 6, !ExtractorLexicon.deictic.contains(first.key),
              !ExtractorLexicon.particles.contains(first.key), !words.contains(where: { ExtractorLexicon.secondPerson.contains($0.key) }) else { return nil }
        if ["a", "an", "the"].contains(first.key) {
            guard words.count > 1, words[1].isCapitalized else { return nil }
        }
        return BulletText.join(words)
    }

    /// "Likes X" (Interests): not "the …", "my …", "when …", "to …" (a thing of the moment or a wish).
    func likes(after j: Int, in range: Range<Int>) -> [Fact] {
        guard let what = phrase(after: j, in: range, maxWords: 8, rejectLeading: ExtractorLexicon.deictic.union(["the", "my", "when", "to"]))
        else { return [] }
        return [.add(section: .interests, text: "Likes \(what)", slot: nil)]
    }

    /// "Dislikes X" (Preferences): what the user does not want in answers or tools.
    func dislike(after j: Int, in range: Range<Int>) -> [Fact] {
        guard let what = phrase(after: j, in: range, maxWords: 8, rejectLeading: ExtractorLexicon.deictic.union(["the", "my", "when"]))
        else { return [] }
        return [.add(section: .preferences, text: "Dislikes \(what)", slot: nil)]
    }

    /// What "no longer …" / "stopped …" / "left …" names: the words after `j` (leading
    /// prepositions skipped) up to a clause or time word.
    func removal(after j: Int, in range: Range<Int>) -> [Fact] {
        removedWords(after: j, in: range).map { [.remove($0)] } ?? []
    }

    /// The words a removal or a finished project names after `j`.
    func removedWords(after j: Int, in range: Range<Int>) -> String? {
        let range = capture(from: j, in: range)
        var start = j + 1
        while start < range.upperBound, tokens[start].isWord, ["at", "in", "for", "on", "with", "to", "a", "an", "the"].contains(tokens[start].key) {
            start += 1
        }
        var end = start
        while end < range.upperBound, tokens[end].isWord, !ExtractorLexicon.removalStops.contains(tokens[end].key) { end += 1 }
        guard end > start else { return nil }
        return words(start..<end)
    }

    /// A project being built, written or learned; one-off tasks (a function, an email) are not.
    func project(_ gerund: String, verb: String, after j: Int, in range: Range<Int>) -> [Fact] {
        guard let what = phrase(after: j, in: range, maxWords: 12, rejectLeading: ExtractorLexicon.deictic.union(["it", "on"]),
                                cutRelative: true) else { return [] }
        // What the work is, not what it is about: "a book about incident response" is a
        // book, "a bug in the parser" a bug.
        let head = BulletText.head(what)
        if BulletText.containsAny(head, ExtractorLexicon.transientWork) { return [] }
        if verb == "writing", !BulletText.containsAny(head, ExtractorLexicon.durableWorks) { return [] }
        let section: LocalExtractor.Section = verb == "learning" || verb == "studying" ? .interests : .projects
        return [.add(section: section, text: "\(gerund) \(what)", slot: nil)]
    }

    /// The words after `j` up to a clause boundary, trimmed, as bullet text.
    /// `cutRelative`: a long phrase is cut before "that/which/who" or at `maxWords`
    /// (projects); otherwise a phrase over `maxWords` gives nothing.
    func phrase(after j: Int, in range: Range<Int>, maxWords: Int, rejectLeading: Set<String>,
                cutRelative: Bool = false) -> String? {
        let range = capture(from: j, in: range)
        var k = j + 1
        var words: [Token] = []
        while k < range.upperBound {
            let w = tokens[k]
            if w.kind == .opaque { if words.isEmpty { return nil } else { break } }
            if w.kind == .mark {
                if w.key == "&" || w.key == "+" || w.key == "/" { words.append(w); k += 1; continue }
                break
            }
            if ExtractorLexicon.clauseStops.contains(w.key) { break }
            if cutRelative, ["that", "which", "who"].contains(w.key), words.count >= 3 { break }
            if words.count >= 14 { break }
            words.append(w)
            k += 1
        }
        words = BulletText.droppingTrailingFiller(words)
        for filler in ExtractorLexicon.trailingPhrases {
            if words.count > filler.count, Array(words.suffix(filler.count).map(\.key)) == filler {
                words.removeLast(filler.count)
            }
        }
        words = BulletText.droppingTrailingFiller(words)
        guard let first = words.first, !rejectLeading.contains(first.key), !ExtractorLexicon.particles.contains(first.key) else { return nil }
        if words.contains(where: { ExtractorLexicon.secondPerson.contains($0.key) || $0.key == "me" }) { return nil }
        if !cutRelative, words.count > maxWords { return nil }
        if words.count > maxWords {
            words = Array(words.prefix(maxWords))
            while let last = words.last, ExtractorLexicon.functionTail.contains(last.key) { words.removeLast() }
        }
        return words.isEmpty ? nil : BulletText.join(words)
    }

    /// The text of an instruction from its verb, cut before "when/if … me/you" tails.
    func instruction(from k: Int, in range: Range<Int>) -> String? {
        let range = capture(from: k, in: range)
        var words: [Token] = []
        var j = k
        while j < range.upperBound, words.count < 14 {
            let w = tokens[j]
            if w.kind == .opaque { return nil }
            if w.kind == .mark { if Lexicon.clauseMarks.contains(w.key) { break } else { j += 1; continue } }
            if ["when", "if", "unless", "because", "since", "so", "as", "whenever"].contains(w.key), words.count >= 2 { break }
            words.append(w)
            j += 1
        }
        // Drop a trailing "from now on" / "going forward" / "always" / "in your replies".
        for marker in [["from", "now", "on"], ["going", "forward"], ["in", "the", "future"], ["in", "future"], ["always"],
                       ["in", "your", "replies"], ["in", "your", "answers"], ["in", "your", "responses"], ["please"]] {
            if words.count > marker.count, Array(words.suffix(marker.count).map(\.key)) == marker { words.removeLast(marker.count) }
        }
        // "give me metric units" → "give metric units".
        if words.count > 1, words[1].key == "me" { words.remove(at: 1) }
        // "keep your answers short" is about the answers the user wants: "keep answers
        // short". Not after a preposition: "… in your responses to me" is a tail, cut below.
        words = words.enumerated().filter { index, word in
            !(word.key == "your" && index > 0 && !ExtractorLexicon.particles.contains(words[index - 1].key)
              && index + 1 < words.count && ExtractorLexicon.answerNouns.contains(words[index + 1].key))
        }.map(\.element)
        if let you = words.firstIndex(where: { ExtractorLexicon.secondPerson.contains($0.key) || $0.key == "me" }) {
            var cut = you
            while cut > 0, !["in", "to", "for", "with", "when", "on", "at"].contains(words[cut - 1].key) { cut -= 1 }
            words = Array(words[..<(cut > 0 ? cut - 1 : you)])
        }
        while let last = words.last, ExtractorLexicon.functionTail.contains(last.key) { words.removeLast() }
        guard words.count >= 2, words.count <= 12 else { return nil }
        var text = BulletText.join(words)
        if let first = text.first { text = String(first).lowercased() + text.dropFirst() }
        return text
    }

    /// "remember that X": X read by the patterns, else X itself in the third person.
    func remembered(_ range: Range<Int>) -> [Fact] {
        let inner = SentenceReader(sentence: Array(tokens[range]))
        let found = inner.segments().flatMap { inner.read($0) }
        if !found.isEmpty { return found }
        if inner.isQuestion { return [] }
        guard let text = BulletText.thirdPerson(Array(tokens[range])) else { return [] }
        // "remember: never use tabs" is an instruction; "remember I always deploy on Fridays" a fact.
        let first = tokens[range].first(where: { $0.isWord })?.key ?? ""
        let section: LocalExtractor.Section = ["always", "never", "prefer", "please"].contains(first) ? .preferences : .personal
        return [.add(section: section, text: text, slot: nil)]
    }

    /// The words of `range` by their keys, quoted or redacted text left out: what a
    /// removal matches bullets by. Keys, not the written text, so a contraction counts as
    /// its words ("I'm training" is `i am training`, not a word "im" no bullet holds).
    func words(_ range: Range<Int>) -> String {
        range.filter { tokens[$0].isWord && !tokens[$0].key.isEmpty }.map { tokens[$0].key }.joined(separator: " ")
    }
}
