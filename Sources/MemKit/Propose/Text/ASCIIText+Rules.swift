/// `UserText`'s rules for one ASCII line, byte by byte: each function answers as the
/// `UserText` function of the same name does for that line (see `ASCIIText`).
extension ASCIIText {
    // MARK: - Fences

    /// The line without its leading spaces and tabs: its first byte, how many times that
    /// byte repeats there, and whether only spaces and tabs follow the run.
    static func fenceRun(_ text: Bytes, _ range: Range<Int>) -> (first: UInt8?, run: Int, restIsBlank: Bool) {
        var i = range.lowerBound
        while i < range.upperBound, isSpaceOrTab(text[i]) { i += 1 }
        guard i < range.upperBound else { return (nil, 0, true) }
        let first = text[i]
        var j = i
        while j < range.upperBound, text[j] == first { j += 1 }
        var rest = j
        while rest < range.upperBound, isSpaceOrTab(text[rest]) { rest += 1 }
        return (first, j - i, rest == range.upperBound)
    }

    // MARK: - Quotations

    /// `UserText.maskQuotations` of `text[range]`, appended to `out` (the placeholder as
    /// `placeholder`); nil, appending nothing, when the text holds no quote or bracket.
    static func maskQuotations(_ text: Bytes, _ range: Range<Int>, into out: inout [UInt8]) -> Range<Int>? {
        var hasQuote = false
        for i in range {
            let b = text[i]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "`") || b == UInt8(ascii: "'") || b == UInt8(ascii: "[") {
                hasQuote = true
                break
            }
        }
        guard hasQuote else { return nil }
        let start = out.count
        let lo = range.lowerBound, n = range.upperBound
        func isWordy(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) }
        var i = lo
        while i < n {
            let c = text[i]
            if c == UInt8(ascii: "["), i + 9 <= n, hasPrefix(Bytes(rebasing: text[i..<n]), "[REDACTED", lowercasing: false) {
                var j = i
                while j < n, text[j] != UInt8(ascii: "]") { j += 1 }
                out.append(placeholder)
                i = min(j + 1, n)
                continue
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "`") {
                var close = i + 1
                while close < n, text[close] != c { close += 1 }
                if close < n {
                    out.append(placeholder)
                    i = close + 1
                    continue
                }
            }
            if c == UInt8(ascii: "'") {
                let before = i > lo ? text[i - 1] : UInt8(ascii: " ")
                if !isWordy(before), i + 1 < n, isWordy(text[i + 1]) {
                    var j = i + 1
                    var close: Int?
                    while j < n {
                        if text[j] == UInt8(ascii: "'") {
                            let next = j + 1 < n ? text[j + 1] : UInt8(ascii: " ")
                            if !isWordy(next), text[j - 1] != UInt8(ascii: " ") { close = j; break }
                        }
                        j += 1
                    }
                    if let close {
                        out.append(placeholder)
                        i = close + 1
                        continue
                    }
                }
            }
            out.append(c)
            i += 1
        }
        return start..<out.count
    }

    // MARK: - Code and log lines

    static let logStarts = PhraseSet(UserText.logStarts)
    static let codeStarts = PhraseSet(UserText.codeStarts, lowercasing: false)
    static let codeOperators = PhraseSet(UserText.codeOperators, lowercasing: false)
    static let logLevels = UserText.logLevels.map { Array($0.utf8) }

    /// `UserText.looksLikeCodeOrLog(raw:masked:)`: `raw` the trimmed line, `masked` it
    /// with its quotations masked.
    static func looksLikeCodeOrLog(raw: Bytes, masked: Bytes) -> Bool {
        let n = masked.count
        if n == 0 { return false }
        // The words of the lowercased text: runs between spaces.
        var wordCount = 0, plainWords = 0
        var first: Range<Int>?, second: Range<Int>?
        // Read with the words: a clock time with seconds (`dd:dd:dd`) anywhere.
        var hasClockTime = false
        var i = 0
        while i < n {
            if masked[i] == UInt8(ascii: " ") { i += 1; continue }
            var j = i
            var hasLetter = false, allPlain = true
            while j < n, masked[j] != UInt8(ascii: " ") {
                let b = masked[j]
                if isLetter(b) {
                    hasLetter = true
                } else {
                    if b == UInt8(ascii: ":"), !hasClockTime { hasClockTime = isClockTime(masked, colon: j) }
                    if !isPlainPunctuation(b) { allPlain = false }
                }
                j += 1
            }
            if first == nil { first = i..<j } else if second == nil { second = i..<j }
            wordCount += 1
            if hasLetter && allPlain { plainWords += 1 }
            i = j
        }
        guard let first else { return false }

        if logStarts.isPrefix(of: masked) || codeStarts.isPrefix(of: masked) { return true }
        if hasPrefix(masked, "at ", lowercasing: true), contains(masked, "("), contains(masked, ":") || contains(masked, ".") {
            return true
        }
        if hasPrefix(masked, "step ", lowercasing: true), let second, contains(Bytes(rebasing: masked[second]), "/") {
            return true
        }
        if firstWordIsLogLevelOrException(raw: raw, masked: masked, first: first) { return true }
        if n >= 5, masked[0] &- UInt8(ascii: "A") < 26, (1...4).allSatisfy({ isDigit(masked[$0]) }) {
            return true  // glog: I0501 12:03:45
        }
        if n >= 10, isOneOf(masked[0], "dl-cbps"), (1...9).allSatisfy({ isOneOf(masked[$0], "rwxsStT-") }) { return true }
        if hasClockTime { return true }
        if wordCount >= 5, plainWords * 10 >= wordCount * 7 { return false }
        if codeOperators.occurs(in: masked, 0..<n) { return true }
        let last = masked[n - 1]
        if last == UInt8(ascii: ";") || last == UInt8(ascii: "{") || last == UInt8(ascii: "}") { return true }
        var symbols = 0, visible = 0
        for k in 0..<n {
            let s = masked[k]
            if (s == UInt8(ascii: "(") || s == UInt8(ascii: "[")) && k > 0 {
                let prev = masked[k - 1]
                if isLetter(prev) || isDigit(prev) || prev == UInt8(ascii: "_") { return true }
            }
            if s != UInt8(ascii: " ") {
                visible += 1
                if isSymbol(s) { symbols += 1 }
            }
        }
        return visible >= 8 && symbols * 4 > visible
    }

    /// `ERROR`, `[WARN]`, `info:`, `TypeError:`: a first word (of the lowercased text)
    /// that is a log level or an exception name.
    private static func firstWordIsLogLevelOrException(raw: Bytes, masked: Bytes, first: Range<Int>) -> Bool {
        // The first word without `:`, `[` and `]` at either end.
        var lo = first.lowerBound, hi = first.upperBound
        func isTrimmed(_ b: UInt8) -> Bool { b == UInt8(ascii: ":") || b == UInt8(ascii: "[") || b == UInt8(ascii: "]") }
        while lo < hi, isTrimmed(masked[lo]) { lo += 1 }
        while hi > lo, isTrimmed(masked[hi - 1]) { hi -= 1 }
        let word = Bytes(rebasing: masked[lo..<hi])
        let endsInColon = masked[first.upperBound - 1] == UInt8(ascii: ":")
        for level in logLevels where equalsLowercased(word, level) {
            if endsInColon { return true }
            // `raw.hasPrefix(firstWord.uppercased())`.
            guard raw.count >= word.count else { continue }
            var same = true
            for k in 0..<word.count where raw[k] != (isLetter(word[k]) ? word[k] & 0xDF : word[k]) {
                same = false
                break
            }
            if same { return true }
        }
        guard endsInColon else { return false }
        return hasLowercasedSuffix(word, "error") || hasLowercasedSuffix(word, "exception")
            || hasLowercasedSuffix(word, "warning")
    }

    private static func equalsLowercased(_ text: Bytes, _ word: StaticString) -> Bool {
        text.count == word.utf8CodeUnitCount && hasPrefix(text, word, lowercasing: true)
    }

    private static func equalsLowercased(_ text: Bytes, _ word: [UInt8]) -> Bool {
        guard text.count == word.count else { return false }
        for k in 0..<word.count where lower(text[k]) != word[k] { return false }
        return true
    }

    private static func hasLowercasedSuffix(_ text: Bytes, _ suffix: StaticString) -> Bool {
        let count = suffix.utf8CodeUnitCount
        guard text.count >= count else { return false }
        return hasPrefix(Bytes(rebasing: text[(text.count - count)...]), suffix, lowercasing: true)
    }

    /// Whether `dd:dd:dd` stands with its first colon at `colon`.
    private static func isClockTime(_ text: Bytes, colon i: Int) -> Bool {
        i >= 2 && i + 5 < text.count && text[i + 3] == UInt8(ascii: ":") && isDigit(text[i - 2]) && isDigit(text[i - 1])
            && isDigit(text[i + 1]) && isDigit(text[i + 2]) && isDigit(text[i + 4]) && isDigit(text[i + 5])
    }

    /// Characters a plain word may hold besides letters: `'’,.!?;:-"` (the typographic
    /// apostrophe is never ASCII).
    @inline(__always) private static func isPlainPunctuation(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "'"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: ";"),
             UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "\""): return true
        default: return false
        }
    }

    /// `{}[]()<>=;/\|$#@*&^%~_`.
    @inline(__always) private static func isSymbol(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: ";"), UInt8(ascii: "/"), UInt8(ascii: "\\"),
             UInt8(ascii: "|"), UInt8(ascii: "$"), UInt8(ascii: "#"), UInt8(ascii: "@"), UInt8(ascii: "*"), UInt8(ascii: "&"),
             UInt8(ascii: "^"), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: "_"): return true
        default: return false
        }
    }

    private static func isOneOf(_ b: UInt8, _ set: StaticString) -> Bool {
        let p = set.utf8Start
        for k in 0..<set.utf8CodeUnitCount where p[k] == b { return true }
        return false
    }

    // MARK: - Introductions and references

    /// What steps 4 and 5 of `OwnLines` ask of a kept text, found in one pass: whether its
    /// introduction is about the user (`UserText.introIsAboutTheUser`), whether it holds
    /// "here is/here's/here are" (`UserText.refersToFollowing`), whether it refers back
    /// (`UserText.refersBack`).
    struct Phrases {
        var aboutTheUser: Bool
        var hereIs: Bool
        var refersBack: Bool

        init(_ text: Bytes) {
            let head = ASCIIText.introHead(text)
            let found = ASCIIText.linePhrases.found(in: text, 0..<text.count) { family, at in
                family != 0 || (at.lowerBound >= head.lowerBound && at.upperBound <= head.upperBound)
            }
            aboutTheUser = found & 1 != 0
            hereIs = found & 2 != 0
            refersBack = found & 4 != 0
        }
    }

    static let linePhrases = PhraseSet(families: [UserText.aboutTheUser, UserText.hereIs, UserText.backReferences])

    /// `UserText.introduction`: the colon's offset when the text before it introduces
    /// what follows it. `phrases`: the text's.
    static func introduction(_ text: Bytes, phrases: Phrases, textFollows: Bool) -> UserText.Introduction<Int>? {
        if text.isEmpty || phrases.aboutTheUser { return nil }
        if let colon = introColon(text) {
            let afterIsEmpty = text[(colon + 1)...].allSatisfy(isSpaceOrTab)
            let before = string(Bytes(rebasing: text[..<colon]), lowercased: true)
            return UserText.introducesPaste(before, strong: !afterIsEmpty) ? .afterColon(colon) : nil
        }
        return textFollows && refersToFollowing(text, hereIs: phrases.hereIs) ? .below : nil
    }

    /// Where `UserText.introIsAboutTheUser` looks: the text's first part that is not empty
    /// before a colon (`split(separator: ":", maxSplits: 1).first`), else all of it.
    static func introHead(_ text: Bytes) -> Range<Int> {
        var start = 0
        for i in 0..<text.count where text[i] == UInt8(ascii: ":") {
            if i > start { return start..<i }
            start = i + 1
        }
        return start < text.count ? start..<text.count : 0..<text.count
    }

    /// `UserText.introColon`: the first `:` followed by a space, a tab or the end.
    static func introColon(_ text: Bytes) -> Int? {
        for i in 0..<text.count where text[i] == UInt8(ascii: ":") {
            if i + 1 == text.count || isSpaceOrTab(text[i + 1]) { return i }
        }
        return nil
    }

    /// `UserText.refersToFollowing` of the text lowercased (`hereIs`: it holds "here is",
    /// "here's" or "here are").
    static func refersToFollowing(_ text: Bytes, hereIs: Bool) -> Bool {
        if hereIs { return true }
        guard let last = text.last, last == UInt8(ascii: "?") else { return false }
        // Its words: runs of letters and apostrophes.
        var i = 0
        while i < text.count {
            guard isLetter(text[i]) || text[i] == UInt8(ascii: "'") else { i += 1; continue }
            var j = i
            while j < text.count, isLetter(text[j]) || text[j] == UInt8(ascii: "'") { j += 1 }
            let word = Bytes(rebasing: text[i..<j])
            if equalsLowercased(word, "this") || equalsLowercased(word, "these") || equalsLowercased(word, "following")
                || equalsLowercased(word, "below") { return true }
            i = j
        }
        return false
    }
}
