/// The patterns that start with the subject "I": "I am a …", "I live in …", "I work at …",
/// "I use …", "I like …", "I switched from … to …", "I no longer …". Each reads the verb
/// after "I" (adverbs skipped) and hands what follows to a capture.
extension SentenceReader {
    /// The facts of "I …" with "I" at `subject`.
    func readSubject(at subject: Int, in range: Range<Int>) -> [Fact] {
        // "no longer" / "anymore" of this clause only: "I no longer work at Acme and I live in Lisbon".
        let noLonger = hasNoLonger(subject..<tokens.clauseEnd(after: subject, in: range))
        var j = skipAdverbs(subject + 1, range)
        var verb = key(j, range)
        // "my team and I are building …"
        if verb == "are", !(subject > range.lowerBound && tokens[subject - 1].key == "and") { return [] }
        if verb == "am" || verb == "are" {
            j = skipAdverbs(j + 1, range)
            return readAm(subject: subject, at: j, in: range, noLonger: noLonger)
        }
        if verb == "have" {
            j = skipAdverbs(j + 1, range)
            if key(j, range) == "been" {
                j = skipAdverbs(j + 1, range)
                let next = key(j, range)
                if ["a", "an"].contains(next) { return noLonger ? [] : role(after: j, in: range) }
                if ExtractorLexicon.projectVerbs[next] != nil || next == "working" || next == "using" || next == "living" {
                    return readAm(subject: subject, at: j, in: range, noLonger: noLonger)
                }
                return []
            }
            // "I have two cats", "I've got a dog called Biscuit".
            let household = household(from: key(j, range) == "got" ? j + 1 : j, in: range)
            if !household.isEmpty { return noLonger ? [] : household }
            verb = key(j, range)
            if ExtractorLexicon.switchVerbs.contains(verb) { return readSwitch(verb, at: j, in: range) }
            return noLonger ? [] : readMilestone(verb, subject: subject, at: j, in: range)
        }
        if verb == "do" || verb == "does" || verb == "can" || verb == "did" {
            guard key(j + 1, range) == "not" else { return [] }
            if verb == "did" { return [] }
            let k = skipAdverbs(j + 2, range)
            let next = key(k, range)
            if verb == "can", next == "stand" { return dislike(after: k, in: range) }
            if verb == "can" { return [] }
            if noLonger, ExtractorLexicon.lastingVerbs.contains(next) {
                return removal(after: k, in: range)
            }
            if ["like", "enjoy", "love"].contains(next), !noLonger { return dislike(after: k, in: range) }
            return []
        }
        if verb == "no", key(j + 1, range) == "longer" {
            let k = skipAdverbs(j + 2, range)
            return removal(after: ExtractorLexicon.lastingVerbs.contains(key(k, range)) ? k : k - 1, in: range)
        }
        if ["stopped", "quit"].contains(verb) {
            var k = j
            if ["using", "working", "doing", "playing", "learning", "building", "writing"].contains(key(k + 1, range)) { k += 1 }
            return removal(after: k, in: range)
        }
        if verb == "left", key(j + 1, range) != "", tokens[min(j + 1, tokens.count - 1)].isCapitalized {
            return removal(after: j, in: range)
        }
        if noLonger { return [] }
        switch verb {
        case "live", "reside":
            guard key(j + 1, range) == "in" else { return [] }
            return livesIn(after: j + 1, in: range)
        case "moved", "switched", "migrated", "changed", "transitioned", "went", "converted", "relocated":
            return readSwitch(verb, at: j, in: range)
        case "work":
            return readWork(at: j, in: range)
        case "use":
            guard !isAboutTrouble else { return [] }
            return uses(after: j, in: range)
        case "code", "program", "develop":
            let k = skipAdverbs(j + 1, range)
            guard key(k, range) == "in", !isAboutTrouble else { return [] }
            return uses(after: k, in: range)
        case "write":
            guard !isAboutTrouble else { return [] }
            let k = key(j + 1, range) == "in" ? j + 1 : j
            guard ExtractorLexicon.languages[key(k + 1, range)] != nil else { return [] }
            return uses(after: k, in: range)
        case "teach":
            return phrase(after: j, in: range, maxWords: 6, rejectLeading: ExtractorLexicon.deictic).map {
                [.add(section: .personal, text: "Teaches \($0)", slot: nil)]
            } ?? []
        case "run", "own", "manage":
            guard ["a", "an"].contains(key(j + 1, range)) else { return [] }
            guard let text = phrase(after: j, in: range, maxWords: 6, rejectLeading: ExtractorLexicon.deictic),
                  !BulletText.containsAny(text, ExtractorLexicon.transientWork) else { return [] }
            let third = verb == "run" ? "Runs" : verb == "own" ? "Owns" : "Manages"
            return [.add(section: .personal, text: "\(third) \(text)", slot: nil)]
        case "like", "love", "enjoy", "adore":
            return likes(after: j, in: range)
        case "prefer":
            return phrase(after: j, in: range, maxWords: 10, rejectLeading: ExtractorLexicon.deictic.union(["the"])).map {
                [.add(section: .preferences, text: "Prefers \($0)", slot: nil)]
            } ?? []
        case "dislike", "hate", "detest", "loathe", "despise":
            return dislike(after: j, in: range)
        case "speak", "mentor", "coach", "play", "go":
            return readActivity(verb, at: j, in: range)
        case "got":
            let household = household(from: j + 1, in: range)
            return household.isEmpty ? readMilestone(verb, subject: subject, at: j, in: range) : household
        default:
            return readMilestone(verb, subject: subject, at: j, in: range)
        }
    }

    /// After "I am" (and "I have been" + -ing), with the next word at `j`.
    func readAm(subject: Int, at j: Int, in range: Range<Int>, noLonger: Bool) -> [Fact] {
        let w = key(j, range)
        if w == "not" {
            let k = skipAdverbs(j + 1, range)
            if noLonger { return removal(after: k - 1, in: range) }
            if key(k, range) == "a", key(k + 1, range) == "fan", key(k + 2, range) == "of" { return dislike(after: k + 2, in: range) }
            if key(k, range) == "a", ["big", "huge"].contains(key(k + 1, range)), key(k + 2, range) == "fan", key(k + 3, range) == "of" {
                return dislike(after: k + 3, in: range)
            }
            if key(k, range) == "into" { return dislike(after: k, in: range) }
            if ["keen", "fond"].contains(key(k, range)), ["on", "of"].contains(key(k + 1, range)) { return dislike(after: k + 1, in: range) }
            return []
        }
        if w == "no", key(j + 1, range) == "longer" { return removal(after: j + 1, in: range) }
        if noLonger { return [] }
        // "Hi, I'm Tomasz."
        if isGreeting(before: subject), j < range.upperBound, tokens[j].isWord, tokens[j].isCapitalized,
           !ExtractorLexicon.notNames.contains(w), let name = name(from: j, in: range) {
            return [.add(section: .personal, text: "Name: \(name)", slot: .name)]
        }
        switch w {
        case "a", "an", "the":
            let k = j + 1
            if key(k, range) == "fan", key(k + 1, range) == "of" { return likes(after: k + 1, in: range) }
            if ["big", "huge", "massive", "great"].contains(key(k, range)), key(k + 1, range) == "fan", key(k + 2, range) == "of" {
                return likes(after: k + 2, in: range)
            }
            if ExtractorLexicon.diets.contains(key(k, range)), !tokens[min(k + 1, tokens.count - 1)].isWord || k + 1 >= range.upperBound
                || !Lexicon.occupations.contains(key(k + 1, range)) {
                return [.add(section: .personal, text: "Diet: \(key(k, range))", slot: .diet)]
            }
            return role(after: j, in: range)
        case "from":
            return place(after: j, in: range).map { [.add(section: .personal, text: "From \($0)", slot: nil)] } ?? []
        case "based":
            var k = j + 1
            if key(k, range) == "out", key(k + 1, range) == "of" { k += 1 } else if key(k, range) != "in" { return [] }
            return livesIn(after: k, in: range)
        case "located", "living", "residing":
            guard key(j + 1, range) == "in" else { return [] }
            return livesIn(after: j + 1, in: range)
        case "called", "named":
            return name(from: j + 1, in: range, allowLowercase: false).map {
                [.add(section: .personal, text: "Name: \($0)", slot: .name)]
            } ?? []
        case "into":
            return likes(after: j, in: range)
        case "keen", "fond":
            guard ["on", "of"].contains(key(j + 1, range)) else { return [] }
            return likes(after: j + 1, in: range)
        case "interested", "passionate", "curious":
            guard ["in", "about"].contains(key(j + 1, range)) else { return [] }
            return phrase(after: j + 1, in: range, maxWords: 8, rejectLeading: ExtractorLexicon.deictic).map {
                [.add(section: .interests, text: "Interested in \($0)", slot: nil)]
            } ?? []
        case "on":
            let os = key(j + 1, range)
            guard ExtractorLexicon.operatingSystems.contains(os) else { return [] }
            return uses(after: j, in: range)
        case "using":
            guard !isAboutTrouble else { return [] }
            return uses(after: j, in: range)
        case "employed":
            if key(j + 1, range) == "as" { return roleAny(after: j + 1, in: range) }
            guard ["by", "at"].contains(key(j + 1, range)) else { return [] }
            return employer(after: j + 1, preposition: key(j + 1, range) == "by" ? "for" : "at", in: range)
        case "working":
            return readWork(at: j, in: range)
        default:
            if let gerund = ExtractorLexicon.projectVerbs[w] {
                guard !isAboutTrouble else { return [] }
                var k = j
                if w == "hacking" || w == "training" {
                    guard ["on", "for"].contains(key(j + 1, range)) else { return [] }
                    k = j + 1
                }
                return project(gerund, verb: w, after: k, in: range)
            }
            if ExtractorLexicon.diets.contains(w) { return [.add(section: .personal, text: "Diet: \(w)", slot: .diet)] }
            return []
        }
    }

    /// After "I work" / "I am working".
    func readWork(at j: Int, in range: Range<Int>) -> [Fact] {
        var k = skipAdverbs(j + 1, range)
        switch key(k, range) {
        case "as":
            return roleAny(after: k, in: range)
        case "at", "for":
            return employer(after: k, preposition: key(k, range), in: range)
        case "in":
            guard let what = phrase(after: k, in: range, maxWords: 4, rejectLeading: ExtractorLexicon.deictic.union(["a", "an"])) else { return [] }
            return [.add(section: .personal, text: "Works in \(what)", slot: nil)]
        case "on":
            guard key(j, range) == "working" || key(j, range) == "work", !isAboutTrouble else { return [] }
            return project("Working on", verb: "working", after: k, in: range)
        case "remotely", "remote":
            k += 1
            guard key(k, range) == "from" else { return [.add(section: .personal, text: "Works remotely", slot: nil)] }
            return place(after: k, in: range).map { [.add(section: .personal, text: "Works remotely from \($0)", slot: nil)] } ?? []
        default:
            return []
        }
    }

    /// "switched/moved/migrated … (from X) to Y": a change of the bullet that mentions X, or
    /// a new `Uses Y` / `Lives in Y` (a move to a place that is not a known tool). `team`:
    /// the subject is "we", whose new tool is the team's (`Team uses Y`).
    func readSwitch(_ verb: String, at j: Int, in range: Range<Int>, team: Bool = false) -> [Fact] {
        // "I've changed my mind about the short answers": the fact is taken back.
        if verb == "changed", key(j + 1, range) == "my", key(j + 2, range) == "mind" {
            return ["about", "on"].contains(key(j + 3, range)) ? removal(after: j + 3, in: range) : []
        }
        var k = j + 1
        if key(k, range) == "over" || key(k, range) == "back" { k += 1 }
        var from: String?
        if key(k, range) == "from" {
            guard let (phraseFrom, end) = shortName(after: k, in: range, stops: ["to", "for", "because", "last", "and"]) else { return [] }
            from = phraseFrom
            k = end
        }
        guard key(k, range) == "to" else { return [] }
        guard let (to, _) = shortName(after: k, in: range, stops: ExtractorLexicon.timeStops) else { return [] }
        let isTool = BulletText.isKnownTool(to)
        if verb == "moved" || verb == "relocated", !isTool {
            guard BulletText.isCapitalizedPhrase(to) else { return [] }
            return [.change(from: from, to: to, fallback: "Lives in \(to)", slot: .location)]
        }
        guard verb != "relocated" else { return [] }
        return [.change(from: from, to: to, fallback: team ? "Team uses \(to)" : "Uses \(to)", slot: nil)]
    }
}
