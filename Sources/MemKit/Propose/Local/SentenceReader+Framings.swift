/// The patterns that do not start with "I": "my name/job/editor/side project is …",
/// imperatives to the assistant ("call me …", "always …", "from now on, …"), "remember …",
/// "forget …", and the framing "as a nurse, I …" / "as someone who lives in …".
extension SentenceReader {
    /// "my <noun> is X" with "my" at `my`: a name, pronouns, a project, a job, a setup.
    func readMy(at my: Int, in range: Range<Int>) -> [Fact] {
        var j = my + 1
        let first = key(j, range)
        if first == "name", ["is", "'s"].contains(key(j + 1, range)) {
            return name(from: j + 2, in: range, allowLowercase: true).map {
                [.add(section: .personal, text: "Name: \($0)", slot: .name)]
            } ?? []
        }
        if first == "pronouns", key(j + 1, range) == "are" {
            return phrase(after: j + 1, in: range, maxWords: 3, rejectLeading: ExtractorLexicon.deictic).map {
                [.add(section: .personal, text: "Pronouns: \($0)", slot: .pronouns)]
            } ?? []
        }
        if ExtractorLexicon.teamNouns.contains(first) { return readTeam(noun: j, in: range) }
        if first == "hobbies" || first == "interests", ["are", "include"].contains(key(j + 1, range)) {
            return likes(after: j + 1, in: range)
        }
        var adjective: String?
        if ["current", "main", "side", "latest", "new", "pet", "personal", "primary", "daily", "usual", "preferred",
            "favourite", "favorite", "day"].contains(first) {
            adjective = first
            j += 1
        }
        let noun = key(j, range)
        guard ["is", "are", "'s"].contains(key(j + 1, range)) else { return [] }
        let valueStart = j + 1
        if noun == "project" {
            guard !isAboutTrouble, let what = phrase(after: valueStart, in: range, maxWords: 12, rejectLeading: ExtractorLexicon.deictic,
                                                        cutRelative: true),
                  !BulletText.containsAny(what, ExtractorLexicon.transientWork) else { return [] }
            let label = adjective.map { BulletText.capitalized($0) + " project" } ?? "Project"
            return [.add(section: .projects, text: "\(label): \(what)", slot: nil)]
        }
        if noun == "job" || noun == "role" || noun == "title" || noun == "occupation" || noun == "profession" {
            if adjective == "day" || adjective == nil || adjective == "current" || adjective == "main" {
                return roleAny(after: valueStart, in: range)
            }
            return []
        }
        if ExtractorLexicon.setupNouns.contains(noun) {
            if adjective == "favourite" || adjective == "favorite" { return likes(after: valueStart, in: range) }
            return uses(after: valueStart, in: range)
        }
        if adjective == "favourite" || adjective == "favorite" { return likes(after: valueStart, in: range) }
        return []
    }

    // MARK: Imperatives and framings

    /// An imperative opening the clause at `start`; nil when the clause does not open with one
    /// (then the other patterns are read), [] when it does but states nothing to keep.
    func readImperative(at start: Int, in range: Range<Int>) -> [Fact]? {
        let w = key(start, range)
        // "call me Sam"
        if w == "call", key(start + 1, range) == "me" {
            guard let called = name(from: start + 2, in: range, allowLowercase: false) else { return [] }
            return [.add(section: .personal, text: "Name: \(called)", slot: .name)]
        }
        // "remember that …", "note for the future: …", "keep in mind …", "don't forget …"
        var body: Int?
        if w == "remember" {
            body = start + 1
        } else if w == "note", key(start + 1, range) == "for" || key(start + 1, range) == "that" || key(start + 1, range) == ":" {
            var k = start + 1
            if key(k, range) == "for" { while k < range.upperBound, tokens[k].key != ":", tokens[k].key != "that" { k += 1 } }
            body = k
        } else if w == "keep", key(start + 1, range) == "in", key(start + 2, range) == "mind" {
            body = start + 3
        } else if w == "do", key(start + 1, range) == "not", key(start + 2, range) == "forget" {
            body = start + 3
        }
        if var b = body {
            while b < range.upperBound, [":", ",", "-"].contains(tokens[b].key) || tokens[b].key == "that" { b += 1 }
            guard b < range.upperBound else { return [] }
            let first = tokens[b].key
            if ["to", "when", "what", "how", "the", "me", "this", "it", "why", "where", "who", "which", "if"].contains(first) {
                return []
            }
            return remembered(b..<tokens.count)
        }
        if w == "forget" { return forgetting(at: start, in: range) }
        // Standing instructions.
        var k = start
        var polarity = "Always"
        if w == "always" || w == "never" {
            polarity = w == "never" ? "Never" : "Always"
            k = start + 1
        } else if w == "do", key(start + 1, range) == "not", key(start + 2, range) == "ever" {
            polarity = "Never"
            k = start + 3
        } else if w == "from", key(start + 1, range) == "now", key(start + 2, range) == "on" {
            k = start + 3
        } else if w == "going", key(start + 1, range) == "forward" {
            k = start + 2
        } else if w == "in", key(start + 1, range) == "future" || (key(start + 1, range) == "the" && key(start + 2, range) == "future") {
            k = key(start + 1, range) == "future" ? start + 2 : start + 3
        } else if ExtractorLexicon.instructionVerbs.contains(w), endsWithStandingMarker(start..<instructionEnd(from: start, in: range)) {
            k = start
        } else {
            return nil
        }
        while k < range.upperBound, tokens[k].kind == .mark || tokens[k].key == "please" { k += 1 }
        guard k < range.upperBound, ExtractorLexicon.instructionVerbs.contains(tokens[k].key) else { return [] }
        guard let body = instruction(from: k, in: range) else { return [] }
        return [.add(section: .preferences, text: "\(polarity) \(body)", slot: nil)]
    }

    /// "forget (that|about) X" with "forget" at `verb`: a removal of what X names. X runs to
    /// the end of its clause, as every capture does: "forget that I like chess, I've lost
    /// interest in it" names chess, and "lost" is no word of the bullet to remove. A pronoun ("… the bit about my cats, please forget about
    /// them") stands for what an earlier "about …" of the sentence named; with no such
    /// "about", nothing is removed.
    func forgetting(at verb: Int, in range: Range<Int>) -> [Fact] {
        var b = verb + 1
        while b < range.upperBound, [":", ","].contains(tokens[b].key) || ["that", "about"].contains(tokens[b].key) { b += 1 }
        guard b < tokens.count else { return [] }
        let end = (b..<tokens.count).first { tokens[$0].kind == .mark && Lexicon.clauseMarks.contains(tokens[$0].key) }
        let object = b..<(end ?? tokens.count)
        let said = object.filter { tokens[$0].isWord }
        if !said.isEmpty, said.allSatisfy({ ExtractorLexicon.pronouns.contains(tokens[$0].key) }) {
            guard let about = (range.lowerBound..<verb).last(where: { tokens[$0].key == "about" }) else { return [] }
            return removal(after: about, in: range.lowerBound..<verb)
        }
        return [.remove(words(object))]
    }

    /// Where the instruction opening at `start` ends: its clause ends at the first clause
    /// mark ("keep your answers short from now on, bullet points are fine").
    func instructionEnd(from start: Int, in range: Range<Int>) -> Int {
        (start..<range.upperBound).first { tokens[$0].kind == .mark && Lexicon.clauseMarks.contains(tokens[$0].key) }
            ?? range.upperBound
    }

    /// "use metric units from now on": an instruction made standing by its last words.
    func endsWithStandingMarker(_ range: Range<Int>) -> Bool {
        let words = range.filter { tokens[$0].isWord }.map { tokens[$0].key }
        for marker in [["from", "now", "on"], ["going", "forward"], ["in", "future"], ["in", "the", "future"], ["always"]]
            where words.count > marker.count && Array(words.suffix(marker.count)) == marker { return true }
        return false
    }

    /// "As a nurse, I …", "as someone who lives in Norway".
    func readAsA(at start: Int, in range: Range<Int>) -> [Fact] {
        guard key(start, range) == "as" else { return [] }
        if key(start + 1, range) == "someone", key(start + 2, range) == "who" {
            let verb = key(start + 3, range)
            if ["lives", "resides"].contains(verb), key(start + 4, range) == "in" {
                return livesIn(after: start + 4, in: range)
            }
            if verb == "works" { return readWork(at: start + 3, in: range) }
            return []
        }
        guard ["a", "an"].contains(key(start + 1, range)) else { return [] }
        // The role must be followed by "," or "I" and then a statement by the user.
        var end = start + 2
        while end < range.upperBound, tokens[end].isWord, tokens[end].key != "i" { end += 1 }
        guard end < range.upperBound, tokens[end].key == "," || tokens[end].key == "i" else { return [] }
        var next = end
        if tokens[next].key == "," { next += 1 }
        guard key(next, range) == "i" else { return [] }
        return role(after: start + 1, in: start..<end)
    }
}
