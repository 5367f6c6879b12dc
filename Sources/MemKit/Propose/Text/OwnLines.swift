/// A prompt's lines and what `UserText`'s rules keep of each: the machinery under
/// `UserText.ownLines`, `UserText.tokens` and the gate.
///
/// The rules are applied in `UserText`'s order — fences; quoted, indented, code and log
/// lines; pasted text after an introduction; text before an instruction that refers back
/// to it; long paragraphs — over the normalized prompt's bytes, each line read by
/// `ASCIIText` when it is all ASCII and by `UserText`'s `String` functions otherwise
/// (`asciiFastPath: false` reads every line the general way, for the tests that hold the
/// two to the same answers). Nothing is copied for a line the rules leave as it is.
///
/// The first two steps run line by line together: once a line introduces pasted text,
/// every later line is cut whatever it holds, so none of them is read at all (the
/// introduction of a line depends only on that line and on whether text follows it).
struct OwnLines {
    /// The normalized prompt, as UTF-8.
    private let raw: [UInt8]
    /// Each line's bytes in `raw`, without its line feed.
    private let lines: [Range<Int>]
    /// Lines read byte by byte; the others go to the `String` code.
    private let isASCII: [Bool]
    /// Lines of nothing but whitespace (they end paragraphs).
    private let isBlank: [Bool]
    /// The last line that is not blank (-1: none).
    private let lastTextLine: Int
    private(set) var keep: [Bool]
    /// An ASCII line's text: a range of `raw`, or of `masked` when its quotations were masked.
    private var texts: [Range<Int>]
    private var textIsMasked: [Bool]
    /// Whether a kept ASCII line's text refers back (`UserText.refersBack`), found with the
    /// other phrases of its introduction.
    private var textRefersBack: [Bool]
    private var masked: [UInt8] = []
    /// The text of each line read by the `String` code and kept so far.
    private var general: [Int: String] = [:]

    var indices: Range<Int> { lines.indices }

    init(_ prompt: String, asciiFastPath: Bool = true) {
        raw = Array(UserText.normalized(prompt).utf8)
        var lines: [Range<Int>] = []
        var isASCII: [Bool] = []
        var isBlank: [Bool] = []
        raw.withUnsafeBufferPointer { bytes in
            let allASCII = asciiFastPath && ASCIIText.isASCII(bytes)
            var start = 0
            while true {
                let end = bytes.firstIndex(of: 0x0A, from: start) ?? bytes.count
                let line = start..<end
                let ascii = allASCII || (asciiFastPath && ASCIIText.isASCII(UnsafeBufferPointer(rebasing: bytes[line])))
                lines.append(line)
                isASCII.append(ascii)
                isBlank.append(ascii ? ASCIIText.isBlank(bytes, line)
                                     : String(decoding: UnsafeBufferPointer(rebasing: bytes[line]), as: UTF8.self).trimmingWhitespace().isEmpty)
                guard end < bytes.count else { break }
                start = end + 1
            }
        }
        self.lines = lines
        self.isASCII = isASCII
        self.isBlank = isBlank
        lastTextLine = isBlank.lastIndex(of: false) ?? -1
        keep = [Bool](repeating: true, count: lines.count)
        texts = lines
        textIsMasked = [Bool](repeating: false, count: lines.count)
        textRefersBack = textIsMasked
        cutFences()
        readLinesUntilPaste()
        cutBeforeBackReferences()
        cutLongParagraphs()
    }

    /// The line's own text, trimmed; empty when the line was cut.
    func text(_ i: Int) -> String {
        guard keep[i] else { return "" }
        guard isASCII[i] else { return general[i, default: ""].trimmingWhitespace() }
        return withText(i) { text in
            let range = ASCIIText.trimmed(text, 0..<text.count)
            return ASCIIText.string(UnsafeBufferPointer(rebasing: text[range]), lowercased: false)
        }
    }

    /// Appends the tokens of the line's own text (none when it was cut).
    func appendTokens(of i: Int, to tokens: inout [Token]) {
        guard keep[i] else { return }
        guard isASCII[i] else {
            tokens += Tokenizer.tokens(general[i, default: ""].trimmingWhitespace())
            return
        }
        withText(i) { text in
            let range = ASCIIText.trimmed(text, 0..<text.count)
            Tokenizer.appendTokens(ascii: UnsafeBufferPointer(rebasing: text[range]), to: &tokens)
        }
    }

    // MARK: - The steps

    /// Lines inside fenced code blocks (``` or ~~~ at any indentation; an unclosed fence
    /// runs to the end).
    private mutating func cutFences() {
        var fence: (byte: UInt8, length: Int)?
        for i in lines.indices {
            // The line without leading spaces and tabs: its first character if it is a
            // fence's (` or ~), how many times it repeats there, whether only spaces and tabs follow.
            let first: UInt8?, run: Int, restIsBlank: Bool
            if isASCII[i] {
                let start: UInt8?
                (start, run, restIsBlank) = raw.withUnsafeBufferPointer { ASCIIText.fenceRun($0, lines[i]) }
                first = start == UInt8(ascii: "`") || start == UInt8(ascii: "~") ? start : nil
            } else {
                let trimmed = line(i).drop(while: { $0 == " " || $0 == "\t" })
                let character = trimmed.first
                first = character == "`" ? UInt8(ascii: "`") : character == "~" ? UInt8(ascii: "~") : nil
                run = character.map { c in trimmed.prefix(while: { $0 == c }).count } ?? 0
                restIsBlank = trimmed.dropFirst(run).allSatisfy { $0 == " " || $0 == "\t" }
            }
            if let open = fence {
                keep[i] = false
                if first == open.byte, run >= open.length, restIsBlank { fence = nil }
                continue
            }
            if let first, run >= 3 {
                fence = (first, run)
                keep[i] = false
            }
        }
    }

    /// Quoted, indented, code- or log-shaped lines cut, inline quotations masked; then,
    /// at the first line that introduces pasted text, everything after it.
    private mutating func readLinesUntilPaste() {
        for i in lines.indices where keep[i] {
            if isASCII[i] { readASCIILine(i) } else { readGeneralLine(i) }
            guard keep[i] else { continue }
            if introducesPaste(i) {
                for j in (i + 1)..<lines.count { keep[j] = false }
                return
            }
        }
    }

    private mutating func readASCIILine(_ i: Int) {
        let range = lines[i]
        var text: Range<Int>?
        var isMasked = false
        raw.withUnsafeBufferPointer { bytes in
            let line = UnsafeBufferPointer(rebasing: bytes[range])
            if ASCIIText.hasPrefix(line, "    ", lowercasing: false) || line.first == 0x09 { return }
            let trimmed = ASCIIText.trimmed(bytes, range)
            if !trimmed.isEmpty, bytes[trimmed.lowerBound] == UInt8(ascii: ">") { return }
            let rawText = UnsafeBufferPointer(rebasing: bytes[trimmed])
            if let maskedRange = ASCIIText.maskQuotations(bytes, trimmed, into: &masked) {
                let isCode = masked.withUnsafeBufferPointer { m in
                    ASCIIText.looksLikeCodeOrLog(raw: rawText, masked: UnsafeBufferPointer(rebasing: m[maskedRange]))
                }
                if isCode { return }
                text = maskedRange
                isMasked = true
            } else {
                if ASCIIText.looksLikeCodeOrLog(raw: rawText, masked: rawText) { return }
                text = trimmed
            }
        }
        guard let text else {
            keep[i] = false
            return
        }
        texts[i] = text
        textIsMasked[i] = isMasked
    }

    private mutating func readGeneralLine(_ i: Int) {
        let line = line(i)
        if line.hasPrefix("    ") || line.hasPrefix("\t") { keep[i] = false; return }
        let trimmed = line.trimmingWhitespace()
        if trimmed.hasPrefix(">") { keep[i] = false; return }
        let masked = UserText.maskQuotations(trimmed)
        if UserText.looksLikeCodeOrLog(raw: trimmed, masked: masked) { keep[i] = false; return }
        general[i] = masked
    }

    /// Whether the kept line `i` introduces what follows as pasted text: before a colon
    /// (the line keeps what is before it), or pointing at the lines after it.
    private mutating func introducesPaste(_ i: Int) -> Bool {
        let textFollows = lastTextLine > i
        guard isASCII[i] else {
            switch UserText.introduction(general[i, default: ""], textFollows: textFollows) {
            case nil: return false
            case let .afterColon(before)?: general[i] = before
            case .below?: break
            }
            return true
        }
        let (introduction, phrases) = withText(i) { text in
            let phrases = ASCIIText.Phrases(text)
            return (ASCIIText.introduction(text, phrases: phrases, textFollows: textFollows), phrases)
        }
        textRefersBack[i] = phrases.refersBack
        switch introduction {
        case nil: return false
        case let .afterColon(colon)?:
            texts[i] = texts[i].lowerBound..<(texts[i].lowerBound + colon)
            textRefersBack[i] = withText(i) { ASCIIText.Phrases($0).refersBack }
        case .below?: break
        }
        return true
    }

    /// Lines before an instruction that refers back to them ("the above", "tl;dr" …),
    /// when they are long: over 3 lines or 300 characters.
    private mutating func cutBeforeBackReferences() {
        // Every line before `first` is cut already: a cut takes all the lines before it.
        var first = 0
        for k in lines.indices where k > 0 && keep[k] && refersBack(k) {
            var count = 0, size = 0
            for j in first..<k where keep[j] && !textIsBlank(j) {
                count += 1
                size += scalarCount(j)
            }
            if count > 3 || size > 300 {
                for j in first..<k { keep[j] = false }
                first = k
            }
        }
    }

    /// Paragraphs (lines between blank lines) of more than 8 kept lines or 1,000 characters.
    private mutating func cutLongParagraphs() {
        var start = 0
        while start < lines.count {
            var end = start
            while end < lines.count, !isBlank[end] { end += 1 }
            var count = 0, size = 0
            for j in start..<end where keep[j] {
                count += 1
                size += scalarCount(j)
            }
            if count > 8 || size > 1000 {
                for j in start..<end { keep[j] = false }
            }
            start = end + 1
        }
    }

    // MARK: - Reading a line's text

    private func line(_ i: Int) -> String {
        raw.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[lines[i]]), as: UTF8.self) }
    }

    /// Calls `body` with the text of ASCII line `i`.
    private func withText<T>(_ i: Int, _ body: (ASCIIText.Bytes) -> T) -> T {
        if textIsMasked[i] {
            return masked.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[texts[i]])) }
        }
        return raw.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[texts[i]])) }
    }

    private func refersBack(_ i: Int) -> Bool {
        guard isASCII[i] else { return UserText.refersBack(general[i, default: ""].lowercased()) }
        return textRefersBack[i]
    }

    private func textIsBlank(_ i: Int) -> Bool {
        guard isASCII[i] else { return general[i, default: ""].trimmingWhitespace().isEmpty }
        return withText(i) { ASCIIText.isBlank($0, 0..<$0.count) }
    }

    /// The text's length in Unicode scalars (the placeholder is one).
    private func scalarCount(_ i: Int) -> Int {
        guard isASCII[i] else { return general[i, default: ""].unicodeScalars.count }
        return texts[i].count
    }
}

extension ASCIIText {
    /// The text as a `String`, the placeholder as `UserText.opaque`, lowercased if asked.
    static func string(_ text: Bytes, lowercased: Bool) -> String {
        if !lowercased, !text.contains(placeholder) { return String(decoding: text, as: UTF8.self) }
        var out = String.UnicodeScalarView()
        for b in text {
            out.append(b == placeholder ? UserText.opaque : Unicode.Scalar(lowercased ? lower(b) : b))
        }
        return String(out)
    }
}
