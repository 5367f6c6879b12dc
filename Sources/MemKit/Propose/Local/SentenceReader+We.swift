/// The patterns of "we" and of the user's team: where the user's household lives ("we
/// live in Lisbon now", "we moved to Lisbon") and what the user's team works with ("my
/// team uses Terraform", "our company uses Slack", "we use Postgres").
///
/// "We" is not always the user: in "we use the chain rule here" it is anyone, in "we're
/// based in Berlin" a company. So "we" states only what a household or a team says of
/// itself in few ways: it lives in or moved to a capitalised place, or it uses a known
/// tool or language (any capitalised one when the clause says "at work"). The team's
/// tools become `Team uses X`, not the user's own `Uses X`.
extension SentenceReader {
    /// The facts of "we …" with "we" at `subject`.
    func readWe(at subject: Int, in range: Range<Int>) -> [Fact] {
        guard !hasNoLonger(subject..<tokens.clauseEnd(after: subject, in: range)) else { return [] }
        var j = skipAdverbs(subject + 1, range)
        if key(j, range) == "have" { j = skipAdverbs(j + 1, range) }
        switch key(j, range) {
        case "live", "reside":
            guard key(j + 1, range) == "in" else { return [] }
            return livesIn(after: j + 1, in: range)
        case "are":
            let k = skipAdverbs(j + 1, range)
            if ["living", "residing"].contains(key(k, range)), key(k + 1, range) == "in" {
                return livesIn(after: k + 1, in: range)
            }
            return key(k, range) == "using" ? teamUses("Team", after: k, in: range, anyName: saysAtWork(range)) : []
        case "moved", "relocated", "switched", "migrated":
            return readSwitch(key(j, range), at: j, in: range, team: true)
        case "use":
            return teamUses("Team", after: j, in: range, anyName: saysAtWork(range))
        default:
            return []
        }
    }

    /// "my/our team uses X", "our company is using X", "our stack is X", with the noun at
    /// `noun` (the word after "my"/"our").
    func readTeam(noun: Int, in range: Range<Int>) -> [Fact] {
        let name = key(noun, range)
        if name == "stack", ["is", "are"].contains(key(noun + 1, range)) {
            return teamUses("Team", after: noun + 1, in: range, anyName: true)
        }
        guard ExtractorLexicon.teamNouns.contains(name) else { return [] }
        let j = skipAdverbs(noun + 1, range)
        switch key(j, range) {
        case "uses", "use":
            return teamUses(BulletText.capitalized(name), after: j, in: range, anyName: true)
        case "is", "are":
            let k = skipAdverbs(j + 1, range)
            return key(k, range) == "using" ? teamUses(BulletText.capitalized(name), after: k, in: range, anyName: true) : []
        default:
            return []
        }
    }

    /// "<Team> uses X" from the tool phrase after `j`. Unless `anyName` (the clause names
    /// the team, or says "at work"), X must start with a known tool or language: "we use
    /// Terraform", not "we use the chain rule" or "then we use Bayes' theorem".
    func teamUses(_ who: String, after j: Int, in range: Range<Int>, anyName: Bool) -> [Fact] {
        // "our company uses my code" is about the user's work, not the team's stack.
        guard !isAboutTrouble, key(j + 1, range) != "my", let tool = usesPhrase(after: j, in: range) else { return [] }
        if !anyName {
            guard let first = tool.split(separator: " ").first, BulletText.isKnownTool(String(first)) else { return [] }
        }
        return [.add(section: .personal, text: "\(who) uses \(tool)", slot: nil)]
    }

    /// Whether the clause says the "we" is the user's work: "at work".
    func saysAtWork(_ range: Range<Int>) -> Bool {
        range.contains { tokens.hasPhrase(["at", "work"], at: $0) }
    }
}
