import Testing
@testable import MemKit

/// Tokens, and where clauses begin: what the gate and the extractor match words against.
@Suite struct TokenizerTests {
    func keys(_ line: String) -> [String] { Tokenizer.tokens(line).map(\.key) }

    @Test func wordsAreLowercasedKeysAndMarksAreTokensOfTheirOwn() {
        #expect(keys("Hi, I live in Leeds!") == ["hi", ",", "i", "live", "in", "leeds", "!"])
        #expect(Tokenizer.tokens("Leeds").first?.text == "Leeds")
        #expect(Tokenizer.tokens("Leeds").first?.isCapitalized == true)
    }

    @Test func contractionsAreExpandedAndTheFirstPartKeepsTheWrittenWord() {
        #expect(keys("I'm") == ["i", "am"])
        #expect(UserText.tokens("I\u{2019}ve").map(\.key) == ["i", "have", "\n"])
        #expect(keys("I've I'd I'll im ive") == ["i", "have", "i", "would", "i", "will", "i", "am", "i", "have"])
        #expect(keys("don't can't won't cannot dont") == ["do", "not", "can", "not", "will", "not", "can", "not", "do", "not"])
        #expect(keys("we're they've it's name's let's") == ["we", "are", "they", "have", "it", "is", "name", "is", "let", "us"])
        let parts = Tokenizer.tokens("I'm")
        #expect(parts.map(\.text) == ["I'm", ""])
    }

    @Test func aPossessiveStaysOneWord() {
        #expect(keys("Ada's manager") == ["ada's", "manager"])
    }

    @Test func wordsWithJoinersAreOneTokenSoTheyAreNeverIOrMy() {
        #expect(keys("I/O my_var I0501 i++ Node.js full-stack AT&T user@host UTC+2") == [
            "i/o", "my_var", "i0501", "i++", "node.js", "full-stack", "at&t", "user@host", "utc+2",
        ])
        #expect(keys("C++ and C# and F#") == ["c++", "and", "c#", "and", "f#"])
    }

    @Test func anAbbreviationKeepsItsFullStopAndDoesNotEndTheSentence() {
        let tokens = Tokenizer.tokens("Dr. Okafor, e.g. this")
        #expect(tokens.map(\.text) == ["Dr.", "Okafor", ",", "e.g.", "this"])
        #expect(!tokens.contains { $0.endsSentence })
    }

    @Test func repeatedMarksCountOnceAndDashesAreOneMark() {
        #expect(keys("wait... what?!") == ["wait", ".", "what", "?", "!"])
        #expect(keys("Go dev \u{2014} Lisbon -- remote") == ["go", "dev", "-", "lisbon", "-", "remote"])
        #expect(keys("so\u{2026}") == ["so", "."])
    }

    @Test func sentenceEndsAreFullStopsQuestionAndExclamationMarksAndLineBreaks() {
        #expect(Tokenizer.tokens(". ! ? , ;").map(\.endsSentence) == [true, true, true, false, false])
        #expect(Token(mark: "\n").endsSentence)
    }

    @Test func quotedTextIsOnePlaceholderTokenThatIsNotAWord() {
        let tokens = UserText.tokens("say \"I am a nurse\" now")
        #expect(tokens.map(\.kind) == [.word, .opaque, .word, .mark])
        #expect(tokens.last?.key == "\n")
    }

    @Test func thePromptsTokensEndEachOwnLineWithALineBreak() {
        #expect(UserText.tokens("I live\n> quoted\nhere").map(\.key) == ["i", "live", "\n", "\n", "here", "\n"])
    }

    // MARK: - Clauses

    @Test func aPhraseMatchesWordForWordAtItsIndex() {
        let tokens = UserText.tokens("From now on, answer in French.")
        #expect(tokens.hasPhrase(["from", "now", "on"], at: 0))
        #expect(!tokens.hasPhrase(["now", "on"], at: 0))
        #expect(!tokens.hasPhrase(["french", ".", "\n", "more"], at: 6))
        #expect(!tokens.hasPhrase(["from"], at: -1))
    }

    @Test func aWordOpensAClauseAtTheStartAfterAMarkOrAfterFillersOnly() {
        func opens(_ text: String, _ word: String) -> Bool {
            let tokens = UserText.tokens(text)
            guard let index = tokens.firstIndex(where: { $0.key == word }) else { return false }
            return tokens.opensClause(at: index)
        }
        #expect(opens("Always answer in French", "always"))
        #expect(opens("ok so please always answer in French", "always"))
        #expect(opens("Thanks. Always answer in French", "always"))
        #expect(opens("Be brief; always answer in French", "always"))
        #expect(opens("hi (always answer in French", "always"))
        #expect(!opens("This function always returns null", "always"))
        #expect(!opens("and it always fails", "always"))
    }

    @Test func anOpenerRightBeforeTheWordOpensAClauseOnlyWhenTheCallerGivesOne() {
        let tokens = UserText.tokens("I'm from Brazil but I live in Porto")
        let second = tokens.indices.last { tokens[$0].key == "i" }!
        #expect(!tokens.opensClause(at: second))
        #expect(tokens.opensClause(at: second, orAfter: ["but"]))
    }

    @Test func aCoordinatorBeforeASubjectOrAQuestionStartsANewClause() {
        func startsAt(_ text: String) -> [String] {
            let tokens = UserText.tokens(text)
            return tokens.indices.filter { tokens.startsNewClause(at: $0) }.map { tokens[$0 + 1].key }
        }
        #expect(startsAt("I work at Procter and Gamble and I live in Lisbon") == ["i"])
        #expect(startsAt("I use Vim but my team uses Emacs, so how do I share configs?") == ["my", "how"])
        #expect(startsAt("I love hiking and photography or her songs") == [])
    }

    @Test func aClauseEndsAtTheNextNewClauseOrAMarkOtherThanAComma() {
        let tokens = UserText.tokens("at Acme and I live in Lisbon, Portugal; I use Vim (mostly)")
        func index(_ key: String) -> Int { tokens.firstIndex { $0.key == key }! }
        #expect(tokens.clauseEnd(after: index("at"), in: tokens.indices) == index("and"))
        #expect(tokens.clauseEnd(after: index("live"), in: tokens.indices) == index(";"))
        #expect(tokens.clauseEnd(after: index("use"), in: tokens.indices) == index("("))
        #expect(tokens.clauseEnd(after: index("use"), in: 0..<index("vim")) == index("vim"))
    }

    @Test func withinBoundsAClauseStartsAtTheirLowerBound() {
        let tokens = UserText.tokens("tell them I use Vim")
        let subject = tokens.firstIndex { $0.key == "i" }!
        #expect(!tokens.opensClause(at: subject))
        #expect(tokens.opensClause(at: subject, in: subject..<tokens.count))
    }
}
