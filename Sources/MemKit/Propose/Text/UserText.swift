/// The user's own words in a typed prompt: what the gate and the `local` extractor read.
///
/// A prompt often holds more than the user's own sentences: code, logs, stack traces,
/// documents pasted to be summarised or translated, quotations. Those say nothing about
/// the user even when they are full of "I" and "my", so they are cut out first:
///
/// - Lines inside fenced code blocks (``` or ~~~, at any indentation; an unclosed fence
///   runs to the end).
/// - Quoted lines (starting with `>`) and indented lines (four spaces or a tab: code).
/// - Lines shaped like code or logs: starting like a log or trace line (`ERROR`, `[INFO]`,
///   `Traceback`, `File "`, `at x.y(`, `panic:`, `npm ERR!`, `#0 `, `$ `, `>>> `, a first
///   word such as `TypeError:` …), holding a clock time with seconds or an ISO date,
///   code operators (`==`, `!=`, `=>`, `->`, `::`, `&&`, `||`, `+=`, `:=`, `</`), an
///   identifier directly followed by `(` or `[`, ending in `;`, `{` or `}`, starting
///   with a code keyword (`def`, `import`, `func`, `SELECT`, `#include` …), or more than
///   a quarter symbols.
/// - Pasted material after an introduction: in a line whose text before a colon (or the
///   whole line, when it ends with `:` or `?`) introduces something — "here is/here's/
///   here are", "this/these/the following/below", or a request to work on a text
///   (summarize, translate, rewrite, proofread, draft, reply to, explain, classify,
///   extract …), or, when the colon ends the line, a noun such as log, output, email,
///   article, transcript — everything after the colon, and every later line, is pasted. An introduction that is about the
///   user ("about me", "remember:", "note:", "keep in mind:") is not.
/// - Material pasted before an instruction: when a later line refers back to it ("the
///   above", "tl;dr", "summarize this" …) and the lines before it are long (over 3 lines
///   or 300 characters), those lines are pasted.
/// - Long paragraphs (over 8 lines or 1,000 characters between blank lines): pasted.
/// - Inside the lines kept, text in quotation marks ("…", “…”, '…', `…`) and
///   `[REDACTED…]` markers become an opaque placeholder: words that are not the user's.
///
/// Typographic apostrophes and quotes (’ ‘ ʼ “ ” „) read as ASCII ones.
public enum UserText {
    /// The placeholder that stands for quoted or redacted text inside a kept line.
    static let opaque: Unicode.Scalar = "\u{FFFC}"

    /// The user's own lines, in order; cut-out material leaves an empty line in its place,
    /// so nothing before and after a cut reads as one sentence. (`OwnLines` applies the
    /// rules; the functions below are their definitions, and read every line that is not
    /// all ASCII.)
    public static func ownLines(_ prompt: String) -> [String] {
        let lines = OwnLines(prompt)
        return lines.indices.map { lines.text($0) }
    }

    /// The user's own words as tokens, sentence and line breaks included.
    static func tokens(_ prompt: String) -> [Token] {
        let lines = OwnLines(prompt)
        var out: [Token] = []
        for i in lines.indices {
            lines.appendTokens(of: i, to: &out)
            out.append(.lineBreak)
        }
        return out
    }

    // MARK: - Normalising

    static func normalized(_ text: String) -> String {
        // ASCII without a carriage return has nothing to change.
        var text = text
        if text.withUTF8(ASCIIText.isASCIIWithoutCarriageReturn) { return text }
        var out = String.UnicodeScalarView()
        var previousCR = false
        for s in text.unicodeScalars {
            switch s {
            case "\u{2019}", "\u{2018}", "\u{02BC}", "\u{2032}": out.append("'")
            case "\u{201C}", "\u{201D}", "\u{201E}", "\u{00AB}", "\u{00BB}": out.append("\"")
            case "\u{00A0}", "\u{2009}", "\u{202F}": out.append(" ")
            case "\r": out.append("\n")
            case "\n": if !previousCR { out.append("\n") }
            default: out.append(s)
            }
            previousCR = s == "\r"
        }
        return String(out)
    }

    // MARK: - Quotations

    /// Replaces text in double quotes, backticks, single quotes (not apostrophes) and
    /// `[REDACTED…]` markers with one placeholder each. An unclosed quote is left alone.
    static func maskQuotations(_ line: String) -> String {
        if line.lacksBytes([UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "[")]) { return line }
        let s = Array(line.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func isWordy(_ c: Unicode.Scalar) -> Bool { c.isLetterFast || c.isNumericFast }
        while i < s.count {
            let c = s[i]
            if c == "[", i + 9 <= s.count, String(String.UnicodeScalarView(s[i..<(i + 9)])) == "[REDACTED" {
                var j = i
                while j < s.count, s[j] != "]" { j += 1 }
                out.append(opaque)
                i = min(j + 1, s.count)
                continue
            }
            if c == "\"" || c == "`" {
                if let close = s[(i + 1)...].firstIndex(of: c) {
                    out.append(opaque)
                    i = close + 1
                    continue
                }
            }
            if c == "'" {
                let before = i > 0 ? s[i - 1] : " "
                let opensQuote = !isWordy(before) && i + 1 < s.count && isWordy(s[i + 1])
                if opensQuote {
                    var j = i + 1
                    var close: Int?
                    while j < s.count {
                        if s[j] == "'" {
                            let next = j + 1 < s.count ? s[j + 1] : " "
                            if !isWordy(next), s[j - 1] != " " { close = j; break }
                        }
                        j += 1
                    }
                    if let close {
                        out.append(opaque)
                        i = close + 1
                        continue
                    }
                }
            }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    // MARK: - Code and log lines

    /// Starts that make a line a log, trace or shell line whatever follows (lowercased).
    static let logStarts = ["traceback", "file \"", "caused by:", "panic:", "npm err", "error[", "goroutine ",
                            "exception in thread", "fatal:", "warning:", "error:", "--> ", "$ ", "% ", ">>> ",
                            "ps c:", "#include", "from __future__", "---> ", "+++ ", "--- ", "@@ ", "diff --git",
                            "[", "|", "{", "}", "//", "/*", "*/", "<", "i/", "e/", "w/", "d/", "v/"]
    /// Starts of code lines, matched case-sensitively: `Select the best option` is prose.
    static let codeStarts = ["def ", "class ", "func ", "fn ", "let ", "var ", "const ", "public ", "private ",
                             "protected ", "return ", "package ", "import ", "using namespace", "SELECT ",
                             "INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE ", "ALTER TABLE", "DROP TABLE",
                             "WITH ", "FROM ", "WHERE ", "JOIN ", "GROUP BY", "ORDER BY"]
    static let logLevels = ["error", "warn", "warning", "info", "debug", "trace", "fatal", "critical", "severe"]
    static let codeOperators = ["==", "!=", "=>", "->", "::", "&&", "||", "+=", "-=", ":=", "</", "/>", "();", "{}", "${", "$("]

    static func looksLikeCodeOrLog(raw: String, masked: String) -> Bool {
        let lower = masked.lowercased()
        if lower.isEmpty { return false }
        let words = lower.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first else { return false }

        if logStarts.contains(where: { lower.hasPrefix($0) }) { return true }
        if codeStarts.contains(where: { masked.hasPrefix($0) }) { return true }
        // A Java or JavaScript stack frame: `at com.x.Y.z(Y.java:17)`.
        if lower.hasPrefix("at "), masked.containsText("("), masked.containsText(":") || masked.containsText(".") { return true }
        // Build steps: `Step 5/9 : RUN …`.
        if lower.hasPrefix("step "), words.count > 1, words[1].containsText("/") { return true }
        // A first word that is a log level or an exception name: `ERROR`, `[WARN]`, `TypeError:`.
        let firstWord = first.trimmingCharacters(":[]")
        if logLevels.contains(firstWord) && (first.hasSuffix(":") || raw.hasPrefix(firstWord.uppercased())) { return true }
        if first.hasSuffix(":"), firstWord.hasSuffix("error") || firstWord.hasSuffix("exception") || firstWord.hasSuffix("warning") {
            return true
        }
        let scalars = Array(masked.unicodeScalars)
        if scalars.count >= 5, ("A"..."Z").contains(scalars[0]), scalars[1...4].allSatisfy({ ("0"..."9").contains($0) }) {
            return true  // glog: I0501 12:03:45
        }
        // `ls -l` lines: `drwxr-xr-x`, `-rw-r--r--`.
        if scalars.count >= 10, "dl-cbps".unicodeScalars.contains(scalars[0]),
           scalars[1...9].allSatisfy({ "rwxsStT-".unicodeScalars.contains($0) }) { return true }
        // A clock time with seconds: log timestamps.
        if containsDigitsPattern(scalars, "dd:dd:dd") { return true }
        // A sentence with a bit of inline code in it ("why does my iterator need
        // collect::<Vec<_>>()", "f-strings over .format()") is prose: the shapes below
        // only make a line code when most of its words are not plain words.
        let plainWords = words.filter { word in
            word.unicodeScalars.contains { $0.isLetterFast }
                && word.unicodeScalars.allSatisfy { $0.isLetterFast || "'’,.!?;:-\"".unicodeScalars.contains($0) }
        }.count
        if words.count >= 5, plainWords * 10 >= words.count * 7 { return false }
        // Code operators and shapes.
        for op in codeOperators where masked.containsText(op) { return true }
        if let last = masked.last, last == ";" || last == "{" || last == "}" { return true }
        for (i, s) in scalars.enumerated() where (s == "(" || s == "[") && i > 0 {
            let prev = scalars[i - 1]
            // `name(` or `xs[`: a call or an index.
            if prev.isLetterFast || ("0"..."9").contains(prev) || prev == "_" { return true }
        }
        // Mostly symbols.
        var symbols = 0
        var visible = 0
        for s in scalars where s != " " {
            visible += 1
            if "{}[]()<>=;/\\|$#@*&^%~_".unicodeScalars.contains(s) { symbols += 1 }
        }
        if visible >= 8, symbols * 4 > visible { return true }
        return false
    }

    /// Whether `scalars` contains the shape `pattern`, where `d` stands for a digit.
    static func containsDigitsPattern(_ scalars: [Unicode.Scalar], _ pattern: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        guard scalars.count >= p.count else { return false }
        outer: for start in 0...(scalars.count - p.count) {
            for k in 0..<p.count {
                let c = scalars[start + k]
                if p[k] == "d" {
                    if !("0"..."9").contains(c) { continue outer }
                } else if c != p[k] {
                    continue outer
                }
            }
            return true
        }
        return false
    }

    // MARK: - Introductions of pasted text

    static let introPhrases = ["here is", "here's", "here are", "this", "these", "the following", "following",
                               "below", "attached", "above"]
    static let introVerbs = ["summarize", "summarise", "summary", "tl;dr", "tldr", "translate", "translation",
                             "traduce", "traduire", "übersetze", "rewrite", "reword", "rephrase", "paraphrase",
                             "proofread", "correct", "fix", "improve", "polish", "shorten", "expand", "edit",
                             "draft", "write", "compose", "reply", "respond", "answer", "explain", "review",
                             "classify", "categorize", "extract", "analyze", "analyse", "format", "convert",
                             "check", "grade", "critique", "simplify", "score", "parse", "count"]
    static let introNouns = ["log", "logs", "output", "error", "errors", "trace", "traceback", "stack trace", "code",
                             "snippet", "file", "text", "email", "e-mail", "message", "article", "paragraph",
                             "document", "transcript", "notes", "poem", "review", "letter", "clause", "bio",
                             "essay", "story", "sentence", "passage", "content", "report", "data", "json",
                             "csv", "diff", "config", "query", "regex", "script"]
    static let aboutTheUser = ["about me", "about myself", "my preferences", "remember", "keep in mind",
                               "note for", "note:", "for context", "context:", "fyi", "my details", "my background"]

    /// What a kept line introduces as pasted text, if anything: what follows its colon
    /// (the line keeps `Prefix`, what is before the colon), or the lines below it.
    enum Introduction<Prefix> {
        case afterColon(Prefix)
        case below
    }

    /// Whether `text` (a kept line's text) introduces pasted text: not when it is about the
    /// user; before a colon that ends an introduction; or, when `textFollows` (a line
    /// that is not blank comes after it), pointing at what follows.
    static func introduction(_ text: String, textFollows: Bool) -> Introduction<String>? {
        let lower = text.lowercased()
        if lower.isEmpty || introIsAboutTheUser(lower) { return nil }
        if let colon = introColon(in: text) {
            let before = String(text[..<colon])
            let after = text[text.index(after: colon)...]
            let afterIsEmpty = after.allSatisfy { $0 == " " || $0 == "\t" }
            return introducesPaste(before.lowercased(), strong: !afterIsEmpty) ? .afterColon(before) : nil
        }
        return textFollows && refersToFollowing(lower) ? .below : nil
    }

    static func introIsAboutTheUser(_ lower: String) -> Bool {
        let head = lower.split(separator: ":", maxSplits: 1).first.map(String.init) ?? lower
        return aboutTheUser.contains { head.containsText($0) }
    }

    /// The colon that ends an introduction: the first `:` followed by a space or ending the
    /// line (not `http://`, not `10:30`).
    static func introColon(in text: String) -> String.Index? {
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == ":" {
                let next = text.index(after: i)
                if next == text.endIndex || text[next] == " " || text[next] == "\t" { return i }
            }
            i = text.index(after: i)
        }
        return nil
    }

    /// Whether the words before a colon introduce pasted material. `strong`: the text
    /// continues on the same line after the colon.
    static func introducesPaste(_ before: String, strong: Bool) -> Bool {
        let words = Set(before.split(whereSeparator: { !$0.isLetter && $0 != "'" && $0 != ";" }).map(String.init))
        if introPhrases.contains(where: { phrase in
            phrase.containsText(" ") ? before.containsText(phrase) : words.contains(phrase)
        }) { return true }
        if introVerbs.contains(where: { words.contains($0) }) { return true }
        // A bare noun ("Docker build log:", "postgres output:") introduces only what follows
        // on the next lines; "message 0: I am a developer" is the user's own sentence.
        if !strong, introNouns.contains(where: { noun in noun.containsText(" ") ? before.containsText(noun) : words.contains(noun) }) {
            return true
        }
        return false
    }

    /// A line that points at the lines after it: one holding "here is/here's/here are", or
    /// a question about "this/these/the following/below" ("what is this poem about?").
    static func refersToFollowing(_ lower: String) -> Bool {
        if hereIs.contains(where: { lower.containsText($0) }) { return true }
        guard lower.hasSuffix("?") else { return false }
        let words = Set(lower.split(whereSeparator: { !$0.isLetter && $0 != "'" }).map(String.init))
        return words.contains("this") || words.contains("these") || words.contains("following") || words.contains("below")
    }

    static let hereIs = ["here is", "here's", "here are"]

    static let backReferences = ["the above", "above text", "above code", "above email", "above log", "tl;dr", "tldr",
                                 "summarize this", "summarise this", "summarize that", "translate this",
                                 "rewrite this", "proofread this", "what does this mean", "explain this",
                                 "fix this", "this text", "this email", "this article", "this log", "this error",
                                 "this code", "this output", "this stack trace", "this file", "this document"]

    static func refersBack(_ lower: String) -> Bool {
        backReferences.contains { lower.containsText($0) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(_ set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
