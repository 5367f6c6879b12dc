/// A change in the user's life said in the past tense, after "I" or "I have": something
/// begun ("I've started learning Portuguese" reads as "I'm learning Portuguese"), a
/// position taken ("I've accepted a postdoc at the University of Queensland", "I landed a
/// job at Stripe") and a project finished ("I submitted the thesis", "I defended my PhD"),
/// which takes the project off Current Projects.
extension SentenceReader {
    /// The facts of the past-tense verb at `j` of the subject "I" at `subject`; [] for a
    /// verb that is not one of these.
    func readMilestone(_ verb: String, subject: Int, at j: Int, in range: Range<Int>) -> [Fact] {
        if ["started", "began", "begun"].contains(verb) {
            let next = key(j + 1, range)
            if ExtractorLexicon.projectVerbs[next] != nil || next == "using" || next == "working" {
                return readAm(subject: subject, at: j + 1, in: range, noLonger: false)
            }
        }
        if ExtractorLexicon.takingVerbs.contains(verb) { return positionTaken(verb, after: j, in: range) }
        if ExtractorLexicon.finishingVerbs.contains(verb), !isAboutTrouble {
            return removedWords(after: j, in: range).map { [.done($0)] } ?? []
        }
        return []
    }

    /// "accepted a postdoc at X", "landed a developer job at X", "started a new position
    /// with X": `Works at X`, and `Role:` when a role is named. Only "accepted" takes a
    /// role alone; after "got", "took", "started" … a position word must be said ("I got
    /// a plumber to fix the sink" is no role, "I started a company" no employer).
    func positionTaken(_ verb: String, after j: Int, in range: Range<Int>) -> [Fact] {
        guard ["a", "an"].contains(key(j + 1, range)) else { return [] }
        // The position word, a few words on: "a (great new) job", "a postdoc".
        var k = j + 2
        while k < j + 6, k < range.upperBound, tokens[k].isWord, !ExtractorLexicon.jobNouns.contains(tokens[k].key),
              !["at", "with", "from", "a", "an", "the"].contains(tokens[k].key) { k += 1 }
        let hasPosition = ExtractorLexicon.jobNouns.contains(key(k, range)) && (key(k, range) != "offer" || verb == "accepted")
        guard hasPosition || verb == "accepted" else { return [] }
        let named = role(after: j + 1, in: range)
        if !named.isEmpty { return named }
        guard hasPosition, ["at", "with"].contains(key(k + 1, range)) || (key(k, range) == "offer" && key(k + 1, range) == "from")
        else { return [] }
        return employer(after: k + 1, preposition: "at", in: range)
    }
}
