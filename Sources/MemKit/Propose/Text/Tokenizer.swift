/// A word or a mark of the user's text. Contractions are expanded into their parts
/// ("I'm" → `i` `am`, "don't" → `do` `not`), each part keyed by its full word.
struct Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable { case word, mark, opaque }
    /// As written (the first part of a contraction carries the whole written word, the
    /// others are empty).
    var text: String
    /// Lowercased, contraction parts expanded.
    var key: String
    var kind: Kind

    init(word text: String, key: String) {
        self.text = text
        self.key = key
        kind = .word
    }

    init(mark: String) {
        text = mark
        key = mark
        kind = .mark
    }

    /// Stands for quoted or redacted text: words that are not the user's.
    static let placeholder = Token(opaque: ())

    private init(opaque: ()) {
        text = "\u{FFFC}"
        key = "\u{FFFC}"
        kind = .opaque
    }

    /// The mark that ends each line of the user's text.
    static let lineBreak = Token(mark: "\n")

    var isWord: Bool { kind == .word }
    var isCapitalized: Bool { text.unicodeScalars.first.map { $0.properties.isUppercase } ?? false }
    /// Ends a sentence: `.`, `!`, `?`, a line break.
    var endsSentence: Bool { kind == .mark && (key == "." || key == "!" || key == "?" || key == "\n") }
}

/// Splits one line of the user's own words into tokens. Words are whole tokens — `I/O`,
/// `my_var`, `I0501`, `Node.js`, `C++` are one word each, never "I" or "my" — so the gate
/// and the extractor can match words and phrases by their keys without looking at
/// characters again.
enum Tokenizer {
    /// Words that keep a following full stop ("Dr. Okafor", "e.g. this").
    static let abbreviations: Set<String> = ["dr", "mr", "mrs", "ms", "prof", "st", "e.g", "i.e", "vs", "approx", "jr", "sr"]

    /// Contractions whose parts are not the word minus a suffix ("won't", "im", "cannot").
    static let contractions: [String: [String]] = [
        "i'm": ["i", "am"], "im": ["i", "am"], "i've": ["i", "have"], "ive": ["i", "have"], "i'd": ["i", "would"],
        "i'll": ["i", "will"], "can't": ["can", "not"], "cannot": ["can", "not"], "won't": ["will", "not"],
        "dont": ["do", "not"], "doesnt": ["does", "not"], "didnt": ["did", "not"], "cant": ["can", "not"],
        "let's": ["let", "us"], "lets": ["let", "us"],
    ]
    /// Words whose "'s" is "is" ("it's", "name's"); any other "'s" is a possessive and stays
    /// part of its word ("Ada's").
    static let isPronounLike: Set<String> = ["it", "that", "what", "he", "she", "there", "here", "who", "where", "how",
                                             "name", "this", "everything", "nothing", "something"]

    /// The tokens of one line: words (contractions expanded), marks, and one placeholder
    /// token for each quoted or redacted span `UserText` made opaque.
    static func tokens(_ line: String) -> [Token] {
        let s = Array(line.unicodeScalars)
        var out: [Token] = []
        var i = 0
        func isLetterOrDigit(_ c: Unicode.Scalar) -> Bool { c.isLetterFast || c.isNumericFast }
        func isWordStart(_ c: Unicode.Scalar) -> Bool { isLetterOrDigit(c) || c == "_" }
        while i < s.count {
            let c = s[i]
            if c == UserText.opaque { out.append(.placeholder); i += 1; continue }
            if c.isWhitespaceFast { i += 1; continue }
            if isWordStart(c) {
                var j = i + 1
                while j < s.count {
                    let d = s[j]
                    if isWordStart(d) || d.isNonspacingMarkFast { j += 1; continue }
                    // Joiners inside a word: it's, Node.js, full-stack, I/O, AT&T, user@host, UTC+2.
                    if (d == "'" || d == "." || d == "-" || d == "/" || d == "&" || d == "@" || d == "+"), j + 1 < s.count,
                       isWordStart(s[j + 1]) { j += 2; continue }
                    // C++, C#, F#.
                    if d == "+" || d == "#" {
                        var k = j
                        while k < s.count, s[k] == d { k += 1 }
                        if k == s.count || !isWordStart(s[k]) { j = k; continue }
                    }
                    break
                }
                var text = String(String.UnicodeScalarView(s[i..<j]))
                let lower = text.lowercased()
                if j < s.count, s[j] == ".", abbreviations.contains(lower) {
                    text += "."
                    j += 1
                }
                out += expand(text: text, lower: lower)
                i = j
                continue
            }
            // Marks: one scalar each; `...` and `--` count once.
            var mark = String(c)
            if c == "-" || c == "\u{2014}" || c == "\u{2013}" { mark = "-" }
            if c == "…" { mark = "." }
            out.append(Token(mark: mark))
            i += 1
            while i < s.count, s[i] == c, c == "." || c == "-" || c == "!" || c == "?" { i += 1 }
        }
        return out
    }

    /// `tokens` of an ASCII line's text (`ASCIIText`: the placeholder as one byte), read
    /// byte by byte: the gate reads megabytes of the user's lines.
    static func appendTokens(ascii s: ASCIIText.Bytes, to out: inout [Token]) {
        var i = 0
        let n = s.count
        @inline(__always) func isWordStart(_ c: UInt8) -> Bool { ASCIIText.isLetter(c) || ASCIIText.isDigit(c) || c == UInt8(ascii: "_") }
        while i < n {
            let c = s[i]
            if c == ASCIIText.placeholder { out.append(.placeholder); i += 1; continue }
            if ASCIIText.isWhitespace(c) { i += 1; continue }
            if isWordStart(c) {
                var j = i + 1
                var hasApostrophe = false
                while j < n {
                    let d = s[j]
                    if isWordStart(d) { j += 1; continue }
                    if d == UInt8(ascii: "'") || d == UInt8(ascii: ".") || d == UInt8(ascii: "-") || d == UInt8(ascii: "/")
                        || d == UInt8(ascii: "&") || d == UInt8(ascii: "@") || d == UInt8(ascii: "+"), j + 1 < n, isWordStart(s[j + 1]) {
                        if d == UInt8(ascii: "'") { hasApostrophe = true }
                        j += 2
                        continue
                    }
                    if d == UInt8(ascii: "+") || d == UInt8(ascii: "#") {
                        var k = j
                        while k < n, s[k] == d { k += 1 }
                        if k == n || !isWordStart(s[k]) { j = k; continue }
                    }
                    break
                }
                let word = UnsafeBufferPointer(rebasing: s[i..<j])
                var text = String(decoding: word, as: UTF8.self)
                let lower = word.contains(where: { $0 &- 0x41 < 26 }) ? ASCIIText.string(word, lowercased: true) : text
                if j < n, s[j] == UInt8(ascii: "."), abbreviations.contains(lower) {
                    text += "."
                    j += 1
                }
                // Only a word with an apostrophe, or one of the few written without
                // ("im", "dont", "cannot" …), is more than one token.
                if hasApostrophe || (contractionStarts[Int(lower.utf8.first!)] && contractions[lower] != nil) {
                    out += expand(text: text, lower: lower)
                } else {
                    out.append(Token(word: text, key: lower))
                }
                i = j
                continue
            }
            out.append(Token(mark: c == UInt8(ascii: "-") ? "-" : String(Unicode.Scalar(c))))
            i += 1
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") {
                while i < n, s[i] == c { i += 1 }
            }
        }
    }

    /// The first bytes of `contractions` written without an apostrophe.
    private static let contractionStarts: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for key in contractions.keys where !key.contains("'") { table[Int(key.utf8.first!)] = true }
        return table
    }()

    /// A word as one token, or a contraction as its parts: "I'm" → `i` `am`, "don't" →
    /// `do` `not`; the first part keeps the written text, the others are empty.
    static func expand(text: String, lower: String) -> [Token] {
        if let parts = contractions[lower] {
            return [Token(word: text, key: parts[0])] + parts.dropFirst().map { Token(word: "", key: $0) }
        }
        if lower.hasSuffix("n't"), lower.count > 3 {
            let stem = String(lower.dropLast(3))
            return [Token(word: text, key: stem), Token(word: "", key: "not")]
        }
        for (suffix, full) in [("'m", "am"), ("'re", "are"), ("'ve", "have"), ("'ll", "will"), ("'d", "would")]
            where lower.hasSuffix(suffix) && lower.count > suffix.count {
            return [Token(word: text, key: String(lower.dropLast(suffix.count))), Token(word: "", key: full)]
        }
        if lower.hasSuffix("'s"), isPronounLike.contains(String(lower.dropLast(2))) {
            let stem = String(lower.dropLast(2))
            return [Token(word: text, key: stem), Token(word: "", key: "is")]
        }
        return [Token(word: text, key: lower)]
    }
}
