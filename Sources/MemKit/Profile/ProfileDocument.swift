/// The profile Markdown as lines of exact bytes, with just enough structure for mem-merge
/// and mem-render: `## Section` headings and the top-level bullets of each section.
///
/// Nothing is normalised: each line keeps its bytes and its own ending (`\n`, `\r\n`, or
/// none for a last line without newline), and a UTF-8 byte order mark is kept, so
/// `bytes` of an unmodified document is the input byte for byte — whatever the input.
///
/// The structure it recognises (documented in the README):
/// - A section starts at an ATX level-2 heading at column 0 (`## Name`, optional closing
///   `#`s) and runs to the next level-1 or level-2 heading. `#` is a title and ends the
///   current section; `###`… are sub-headings inside the current section. Setext
///   headings and indented `##` lines are not section headings.
/// - A bullet is a top-level list item: `-`, `*` or `+` at column 0 followed by a space or
///   tab (a thematic break such as `- - -` is not one). Its block is the item line, the
///   lines continuing its paragraph (indented or lazy), and everything indented below it
///   (nested lists, indented code, blank lines followed by indented lines), up to the
///   next bullet, heading, or unindented block.
/// - Lines inside fenced code blocks (``` or ~~~, three or more, at any indentation, closed
///   by a fence of the same character at least as long) and inside HTML comments
///   (`<!-- … -->`, possibly over several lines) are never headings or bullets.
public struct ProfileDocument: Equatable, Sendable {
    /// Profiles larger than this are refused (a profile is read into every prompt).
    public static let maxBytes = 1 << 20

    /// What a missing profile starts from.
    public static let defaultText = """
        # User profile

        ## Personal Information

        ## Current Projects

        ## Interests

        ## Preferences

        """

    public static var `default`: ProfileDocument { ProfileDocument(bytes: Array(defaultText.utf8)) }

    public enum LineEnding: Equatable, Sendable {
        case lf, crlf, none

        public var bytes: [UInt8] {
            switch self {
            case .lf: return [0x0A]
            case .crlf: return [0x0D, 0x0A]
            case .none: return []
            }
        }
    }

    public struct Line: Equatable, Sendable {
        /// The line's bytes without its ending.
        public var content: [UInt8]
        public var ending: LineEnding

        public init(content: [UInt8], ending: LineEnding) {
            self.content = content
            self.ending = ending
        }

        public init(_ text: String, ending: LineEnding) {
            self.init(content: Array(text.utf8), ending: ending)
        }

        public var bytes: [UInt8] { content + ending.bytes }
    }

    public enum LineKind: Equatable, Sendable {
        case blank
        /// An ATX heading at column 0, outside code and comments.
        case heading(level: Int)
        /// A top-level list item (`- `, `* `, `+ ` at column 0).
        case bullet
        /// A line opening or closing a fenced code block.
        case fence
        /// A line inside a fenced code block.
        case code
        /// A line starting an HTML comment block, or inside a multi-line comment.
        case comment
        /// Anything else: prose, tables, rules, indented lines.
        case text
    }

    public struct Bullet: Equatable, Sendable {
        /// The item's first line.
        public var line: Int
        /// `-`, `*` or `+`.
        public var marker: UInt8
        /// The item's text: its paragraph lines joined with spaces, HTML comments removed.
        public var text: String
        /// The text of the item's first line alone (differs from `text` for a wrapped item).
        public var firstLineText: String
        /// The lines holding the item's text (its first line and paragraph continuation).
        public var paragraph: Range<Int>
        /// Every line that belongs to the item, nested lists and continuation included.
        public var block: Range<Int>
    }

    public struct Section: Equatable, Sendable {
        /// The heading text, trimmed, closing `#`s and comments removed.
        public var name: String
        public var heading: Int
        /// The lines after the heading, up to the next level-1 or level-2 heading.
        public var body: Range<Int>
        public var bullets: [Bullet]
    }

    public private(set) var hasBOM: Bool
    public private(set) var lines: [Line]
    public private(set) var kinds: [LineKind] = []
    public private(set) var sections: [Section] = []
    /// Every top-level bullet of the document, in order, inside sections or not.
    public private(set) var bullets: [Bullet] = []
    /// Byte ranges of each line that lie inside HTML comments.
    public private(set) var commentSpans: [[Range<Int>]] = []
    /// Whether each line ends inside an unclosed HTML comment.
    public private(set) var endsInComment: [Bool] = []
    /// When the document ends inside a fenced code block: a line that would close it.
    public private(set) var unclosedFence: [UInt8]?

    // MARK: - Reading and writing

    /// Splits any bytes into lines; never fails, and `bytes` gives them back unchanged.
    public init(bytes input: [UInt8]) {
        var start = 0
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            hasBOM = true
            start = 3
        } else {
            hasBOM = false
        }
        var lines: [Line] = []
        var lineStart = start
        var i = start
        while i < input.count {
            if input[i] == 0x0A {
                if i > lineStart, input[i - 1] == 0x0D {
                    lines.append(Line(content: Array(input[lineStart..<(i - 1)]), ending: .crlf))
                } else {
                    lines.append(Line(content: Array(input[lineStart..<i]), ending: .lf))
                }
                lineStart = i + 1
            }
            i += 1
        }
        if lineStart < input.count {
            lines.append(Line(content: Array(input[lineStart...]), ending: .none))
        }
        self.lines = lines
        analyse()
    }

    /// Parses a profile read from disk: refuses more than `maxBytes`, NUL bytes and
    /// invalid UTF-8 (exit 65), naming `name` in the message.
    public init(validating bytes: [UInt8], name: String = "profile") throws(MemError) {
        if bytes.count > ProfileDocument.maxBytes {
            throw MemError(.dataError, "\(name) is larger than \(HumanUnits.size(ProfileDocument.maxBytes)); refusing to use it")
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw MemError(.dataError, "\(name) contains a NUL byte at byte \(nul); it is not a text file")
        }
        let roundTrip = Array(String(decoding: bytes, as: UTF8.self).utf8)
        if roundTrip != bytes {
            var offset = 0
            while offset < bytes.count, offset < roundTrip.count, bytes[offset] == roundTrip[offset] { offset += 1 }
            throw MemError(.dataError, "\(name) is not valid UTF-8 (at byte \(offset))")
        }
        self.init(bytes: bytes)
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = hasBOM ? [0xEF, 0xBB, 0xBF] : []
        out.reserveCapacity(lines.reduce(out.count) { $0 + $1.content.count + 2 })
        for line in lines {
            out.append(contentsOf: line.content)
            out.append(contentsOf: line.ending.bytes)
        }
        return out
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The ending most lines use (`\r\n` only when it outnumbers `\n`).
    public var dominantEnding: LineEnding {
        var lf = 0
        var crlf = 0
        for line in lines {
            switch line.ending {
            case .lf: lf += 1
            case .crlf: crlf += 1
            case .none: break
            }
        }
        return crlf > lf ? .crlf : .lf
    }

    /// True when the last line has no line ending.
    public var endsWithoutNewline: Bool { lines.last?.ending == LineEnding.none }

    /// The first section whose name matches `name` (case-insensitive, whitespace-tolerant).
    public func sectionIndex(named name: String) -> Int? {
        let key = ProfileDocument.sectionKey(name)
        if key.isEmpty { return nil }
        return sections.firstIndex { ProfileDocument.sectionKey($0.name) == key }
    }

    /// How section names compare: lowercased, whitespace collapsed, a trailing colon dropped.
    public static func sectionKey(_ name: String) -> String {
        var words = name.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        while words.hasSuffix(":") { words.removeLast() }
        return words.trimmingWhitespace()
    }

    /// A line's text with HTML comments cut out (lossy UTF-8 decoding).
    public func visibleText(ofLine index: Int) -> String {
        let content = lines[index].content
        let spans = commentSpans[index]
        if spans.isEmpty { return String(decoding: content, as: UTF8.self) }
        var kept: [UInt8] = []
        var at = 0
        for span in spans {
            if span.lowerBound > at { kept.append(contentsOf: content[at..<span.lowerBound]) }
            at = max(at, span.upperBound)
        }
        if at < content.count { kept.append(contentsOf: content[at...]) }
        return String(decoding: kept, as: UTF8.self)
    }

    /// Whether a line starts with a space or tab.
    public func isIndented(_ index: Int) -> Bool {
        guard let first = lines[index].content.first else { return false }
        return first == 0x20 || first == 0x09
    }

    // MARK: - Editing

    /// Replaces a range of lines and re-reads the structure.
    public mutating func replaceLines(_ range: Range<Int>, with newLines: [Line]) {
        lines.replaceSubrange(range, with: newLines)
        analyse()
    }

    // MARK: - Structure

    private mutating func analyse() {
        let count = lines.count
        var kinds: [LineKind] = []
        kinds.reserveCapacity(count)
        var spansPerLine: [[Range<Int>]] = []
        spansPerLine.reserveCapacity(count)
        var endsInComment: [Bool] = []
        endsInComment.reserveCapacity(count)
        var fence: (char: UInt8, length: Int)?
        var inComment = false

        for line in lines {
            let c = line.content
            if let open = fence {
                if MarkdownScan.closesFence(c, char: open.char, length: open.length) {
                    kinds.append(.fence)
                    fence = nil
                } else {
                    kinds.append(.code)
                }
                spansPerLine.append([])
                endsInComment.append(false)
                continue
            }
            var spans: [Range<Int>] = []
            var scanFrom = 0
            let kind: LineKind
            if inComment {
                kind = .comment
                if let close = MarkdownScan.find(c, MarkdownScan.commentClose, from: 0) {
                    spans.append(0..<(close + 3))
                    scanFrom = close + 3
                    inComment = false
                } else {
                    spans.append(0..<c.count)
                    scanFrom = c.count
                }
            } else if MarkdownScan.isBlank(c) {
                kind = .blank
            } else if let opener = MarkdownScan.fenceOpener(c) {
                kinds.append(.fence)
                fence = opener
                spansPerLine.append([])
                endsInComment.append(false)
                continue
            } else if MarkdownScan.startsCommentBlock(c) {
                kind = .comment
            } else if let level = MarkdownScan.headingLevel(c) {
                kind = .heading(level: level)
            } else if MarkdownScan.isBullet(c) {
                kind = .bullet
            } else {
                kind = .text
            }
            if !inComment {
                MarkdownScan.commentSpans(c, from: scanFrom, into: &spans, inComment: &inComment)
            }
            kinds.append(kind)
            spansPerLine.append(spans)
            endsInComment.append(inComment)
        }
        self.kinds = kinds
        self.commentSpans = spansPerLine
        self.endsInComment = endsInComment
        if let open = fence {
            unclosedFence = Array(repeating: open.char, count: open.length)
        } else {
            unclosedFence = nil
        }
        findSections()
    }

    /// True once the end of the document is inside an HTML comment.
    public var endsInsideComment: Bool { endsInComment.last ?? false }

    private mutating func findSections() {
        var sections: [Section] = []
        var allBullets: [Bullet] = []
        var current: (name: String, heading: Int)?
        var regionStart = 0
        func close(at end: Int) {
            let found = bullets(in: regionStart..<end)
            allBullets.append(contentsOf: found)
            if let open = current {
                sections.append(Section(name: open.name, heading: open.heading, body: (open.heading + 1)..<end,
                                         bullets: found))
            }
            current = nil
        }
        for (index, kind) in kinds.enumerated() {
            guard case let .heading(level) = kind, level <= 2 else { continue }
            close(at: index)
            regionStart = index + 1
            if level == 2 { current = (headingText(index), index) }
        }
        close(at: lines.count)
        self.sections = sections
        self.bullets = allBullets
    }

    private func headingText(_ index: Int) -> String {
        var text = Substring(visibleText(ofLine: index))
        while text.first == "#" { text.removeFirst() }
        var trimmed = Substring(String(text).trimmingWhitespace())
        // An optional closing sequence: spaces then #s at the end (or only #s).
        if let last = trimmed.lastIndex(where: { $0 != "#" }) {
            if last != trimmed.index(before: trimmed.endIndex), trimmed[last] == " " || trimmed[last] == "\t" {
                trimmed = trimmed[...last]
            }
        } else {
            trimmed = ""
        }
        return String(trimmed).trimmingWhitespace()
    }

    private func bullets(in body: Range<Int>) -> [Bullet] {
        var result: [Bullet] = []
        var index = body.lowerBound
        while index < body.upperBound {
            if kinds[index] == .bullet {
                let bullet = bulletBlock(at: index, end: body.upperBound)
                result.append(bullet)
                index = bullet.block.upperBound
            } else {
                index += 1
            }
        }
        return result
    }

    private func bulletBlock(at start: Int, end: Int) -> Bullet {
        var j = start + 1
        var paragraphEnd = start + 1
        var inParagraph = true
        var lazyAllowed = true
        var inFence = false
        var commentCarry = endsInComment[start]
        scan: while j < end {
            let kind = kinds[j]
            if commentCarry {
                guard kind == .comment else { break }
                commentCarry = endsInComment[j]
                inParagraph = false
                lazyAllowed = false
                j += 1
                continue
            }
            if inFence {
                if kind == .fence { inFence = false }
                j += 1
                continue
            }
            switch kind {
            case .blank:
                var next = j
                while next < end, kinds[next] == .blank { next += 1 }
                guard next < end, MarkdownScan.indentWidth(lines[next].content) >= 2 else { break scan }
                switch kinds[next] {
                case .text, .fence, .comment: break
                default: break scan
                }
                inParagraph = false
                lazyAllowed = false
                j = next
            case .heading, .bullet, .code:
                break scan
            case .fence:
                guard isIndented(j) else { break scan }
                inFence = true
                inParagraph = false
                lazyAllowed = false
                j += 1
            case .comment:
                guard isIndented(j) else { break scan }
                commentCarry = endsInComment[j]
                inParagraph = false
                lazyAllowed = false
                j += 1
            case .text:
                if isIndented(j) {
                    if inParagraph, !MarkdownScan.isListItem(MarkdownScan.dropIndent(lines[j].content)) {
                        paragraphEnd = j + 1
                    } else {
                        inParagraph = false
                    }
                } else if lazyAllowed, !MarkdownScan.startsBlock(lines[j].content) {
                    if inParagraph { paragraphEnd = j + 1 }
                } else {
                    break scan
                }
                lazyAllowed = true
                commentCarry = endsInComment[j]
                j += 1
            }
        }
        var parts: [String] = []
        for index in start..<paragraphEnd {
            var text = visibleText(ofLine: index)
            if index == start {
                text = String(text.unicodeScalars.dropFirst())
            }
            let trimmed = text.trimmingWhitespace()
            if !trimmed.isEmpty { parts.append(trimmed) }
        }
        return Bullet(line: start, marker: lines[start].content[0], text: parts.joined(separator: " "),
                      firstLineText: parts.first ?? "", paragraph: start..<paragraphEnd, block: start..<j)
    }
}
