/// What the user does and has, in the present tense: "I speak Hindi and Marathi", "I play
/// the cello", "I mentor two junior engineers", "I go bouldering twice a week", "I have a
/// dog called Biscuit". Each is narrow on purpose — a language is capitalised, a pastime
/// is an instrument, sport or game, "go <-ing>" needs a word of habit, "have" a pet or
/// family member — because the same verbs carry task talk ("I play the video and it
/// freezes", "I have a list of dicts").
extension SentenceReader {
    /// The facts of the present-tense verb at `j`; [] for a verb that is not one of these.
    func readActivity(_ verb: String, at j: Int, in range: Range<Int>) -> [Fact] {
        switch verb {
        case "speak":
            return speaks(after: j, in: range)
        case "mentor", "coach":
            return phrase(after: j, in: range, maxWords: 8, rejectLeading: ExtractorLexicon.deictic, cutRelative: true).map {
                [.add(section: .personal, text: "\(BulletText.capitalized(BulletText.thirdPersonVerb(verb))) \($0)", slot: nil)]
            } ?? []
        case "play":
            var k = j + 1
            if ["the", "a", "an"].contains(key(k, range)) { k += 1 }
            // "the cello", "chess", "video games" (not "games with the data").
            let kind = [k, k + 1].contains { ExtractorLexicon.pastimes.contains(key($0, range)) }
                || (key(k + 1, range) == "games" && ExtractorLexicon.kindsOfGames.contains(key(k, range)))
            guard kind else { return [] }
            return phrase(after: j, in: range, maxWords: 8, rejectLeading: ExtractorLexicon.deictic, cutRelative: true).map {
                [.add(section: .interests, text: "Plays \($0)", slot: nil)]
            } ?? []
        case "go":
            let activity = key(j + 1, range)
            guard activity.hasSuffix("ing"), activity.count > 5, !ExtractorLexicon.notPastimes.contains(activity),
                  (j..<tokens.clauseEnd(after: j, in: range)).contains(where: { ExtractorLexicon.habitWords.contains(tokens[$0].key) })
            else { return [] }
            return phrase(after: j, in: range, maxWords: 8, rejectLeading: ExtractorLexicon.deictic, cutRelative: true).map {
                [.add(section: .interests, text: "Goes \($0)", slot: nil)]
            } ?? []
        default:
            return []
        }
    }

    /// "I speak Hindi, Marathi and English", "I speak fluent German and some French":
    /// capitalised languages (not programming languages), with words of fluency.
    func speaks(after j: Int, in range: Range<Int>) -> [Fact] {
        let run = capitalisedList(from: j + 1, in: capture(from: j, in: range), leading: ExtractorLexicon.fluency)
        guard !run.isEmpty, !run.contains(where: { $0.isCapitalized && BulletText.isKnownTool($0.key) }) else { return [] }
        return [.add(section: .personal, text: "Speaks \(BulletText.join(run))", slot: nil)]
    }

    /// "(I have) two cats, Miso and Tofu", "a dog called Biscuit", "a rescue dog" with the
    /// count at `k`: a pet or a family member, with its name when one follows.
    func household(from k: Int, in range: Range<Int>) -> [Fact] {
        let range = capture(from: k, in: range)
        let count = key(k, range)
        guard ["a", "an"].contains(count) || ExtractorLexicon.numbers.contains(count) else { return [] }
        var j = k + 1
        if !ExtractorLexicon.household.contains(key(j, range)), ExtractorLexicon.householdModifiers.contains(key(j, range)) { j += 1 }
        // The noun ends its phrase: "a cat allergy", "a partner meeting" are not pets or people.
        guard ExtractorLexicon.household.contains(key(j, range)),
              j + 1 >= range.upperBound || !tokens[j + 1].isWord || ExtractorLexicon.afterHousehold.contains(key(j + 1, range))
        else { return [] }
        var text = BulletText.join(Array(tokens[k...j]))
        if ["called", "named"].contains(key(j + 1, range)), let name = name(from: j + 2, in: range) {
            text += " \(key(j + 1, range)) \(name)"
        } else if key(j + 1, range) == "," {
            let names = capitalisedList(from: j + 2, in: range, leading: [])
            if !names.isEmpty { text += ", " + BulletText.join(names) }
        }
        return [.add(section: .personal, text: "Has \(text)", slot: nil)]
    }

    /// Capitalised words from `start` joined by `,`, "and", "or", "&", each maybe led by
    /// words of `leading`: "Hindi, Marathi and English", "fluent German and some French".
    /// Empty when no capitalised word comes first (after `leading` words).
    func capitalisedList(from start: Int, in range: Range<Int>, leading: Set<String>) -> [Token] {
        var words: [Token] = []
        var k = start
        var named = 0
        while k < range.upperBound, words.count < 12 {
            let token = tokens[k]
            if token.isWord, token.isCapitalized, token.key != "i" {
                words.append(token)
                named += 1
            } else if token.isWord, leading.contains(token.key) {
                words.append(token)
            } else if named > 0, [",", "and", "or", "&"].contains(token.key), k + 1 < range.upperBound,
                      tokens[k + 1].isCapitalized || leading.contains(tokens[k + 1].key) {
                words.append(token)
            } else {
                break
            }
            k += 1
        }
        while let last = words.last, !last.isCapitalized { words.removeLast() }
        return named > 0 ? words : []
    }
}
