/// Byte-level recognisers for the few Markdown constructs the profile cares about, one
/// line at a time: `ProfileDocument` classifies each line with them (blank, heading,
/// bullet, fence, comment) and finds comment spans, without ever decoding the bytes.
enum MarkdownScan {
    static let commentOpen: [UInt8] = Array("<!--".utf8)
    static let commentClose: [UInt8] = Array("-->".utf8)

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    static func isBlank(_ c: [UInt8]) -> Bool {
        c.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }
    }

    static func indentWidth(_ c: [UInt8]) -> Int {
        var width = 0
        for b in c {
            if b == 0x20 { width += 1 } else if b == 0x09 { width += 4 - width % 4 } else { break }
        }
        return width
    }

    static func dropIndent(_ c: [UInt8]) -> ArraySlice<UInt8> {
        var i = 0
        while i < c.count, isSpace(c[i]) { i += 1 }
        return c[i...]
    }

    static func find(_ c: [UInt8], _ needle: [UInt8], from start: Int) -> Int? {
        guard needle.count <= c.count else { return nil }
        var i = start
        while i + needle.count <= c.count {
            if c[i] == needle[0] {
                var k = 1
                while k < needle.count, c[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// A fence opener at any indentation: three or more backticks (info string without
    /// backticks) or tildes.
    static func fenceOpener(_ c: [UInt8]) -> (char: UInt8, length: Int)? {
        let rest = dropIndent(c)
        guard let char = rest.first, char == UInt8(ascii: "`") || char == UInt8(ascii: "~") else { return nil }
        var length = 0
        var i = rest.startIndex
        while i < rest.endIndex, rest[i] == char { length += 1; i += 1 }
        guard length >= 3 else { return nil }
        if char == UInt8(ascii: "`"), rest[i...].contains(char) { return nil }
        return (char, length)
    }

    static func closesFence(_ c: [UInt8], char: UInt8, length: Int) -> Bool {
        let rest = dropIndent(c)
        var count = 0
        var i = rest.startIndex
        while i < rest.endIndex, rest[i] == char { count += 1; i += 1 }
        guard count >= length else { return false }
        return rest[i...].allSatisfy { isSpace($0) || $0 == 0x0D }
    }

    /// A line whose first non-blank text (within three spaces) is `<!--`.
    static func startsCommentBlock(_ c: [UInt8]) -> Bool {
        var i = 0
        while i < c.count, i < 3, c[i] == 0x20 { i += 1 }
        return find(Array(c[i...].prefix(4)), commentOpen, from: 0) == 0
    }

    /// ATX heading level at column 0, or nil.
    static func headingLevel(_ c: [UInt8]) -> Int? {
        var level = 0
        while level < c.count, c[level] == UInt8(ascii: "#") { level += 1 }
        guard (1...6).contains(level) else { return nil }
        if level == c.count { return level }
        return isSpace(c[level]) || c[level] == 0x0D ? level : nil
    }

    static func isBullet(_ c: [UInt8]) -> Bool {
        guard c.count >= 2, c[0] == UInt8(ascii: "-") || c[0] == UInt8(ascii: "*") || c[0] == UInt8(ascii: "+"),
              isSpace(c[1]) else { return false }
        return !isThematicBreak(c)
    }

    static func isThematicBreak(_ c: [UInt8]) -> Bool {
        var i = 0
        while i < c.count, i < 3, c[i] == 0x20 { i += 1 }
        guard i < c.count else { return false }
        let char = c[i]
        guard char == UInt8(ascii: "-") || char == UInt8(ascii: "*") || char == UInt8(ascii: "_") else { return false }
        var count = 0
        for b in c[i...] {
            if b == char { count += 1 } else if !(isSpace(b) || b == 0x0D) { return false }
        }
        return count >= 3
    }

    /// A list item marker (after indentation): `-`, `*`, `+`, or `1.` / `1)`, then a space or the end.
    static func isListItem(_ c: ArraySlice<UInt8>) -> Bool {
        guard let first = c.first else { return false }
        var i = c.startIndex
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+") {
            i += 1
        } else {
            var digits = 0
            while i < c.endIndex, c[i] >= 0x30, c[i] <= 0x39, digits < 10 { i += 1; digits += 1 }
            guard digits > 0, i < c.endIndex, c[i] == UInt8(ascii: ".") || c[i] == UInt8(ascii: ")") else { return false }
            i += 1
        }
        return i == c.endIndex || isSpace(c[i]) || c[i] == 0x0D
    }

    /// A column-0 line that starts its own block and so cannot continue a bullet lazily.
    static func startsBlock(_ c: [UInt8]) -> Bool {
        guard let first = c.first else { return true }
        if isListItem(c[...]) || isThematicBreak(c) { return true }
        return first == UInt8(ascii: ">") || first == UInt8(ascii: "|") || first == UInt8(ascii: "<")
    }

    /// Finds `<!-- … -->` spans from `start`, skipping inline code spans; leaves
    /// `inComment` set when a comment is still open at the end of the line.
    static func commentSpans(_ c: [UInt8], from start: Int, into spans: inout [Range<Int>], inComment: inout Bool) {
        var i = start
        while i < c.count {
            let b = c[i]
            if b == UInt8(ascii: "`") {
                var run = 0
                while i + run < c.count, c[i + run] == b { run += 1 }
                // Look for a closing run of exactly the same length.
                var k = i + run
                var closedAt: Int?
                while k < c.count {
                    if c[k] == b {
                        var other = 0
                        while k + other < c.count, c[k + other] == b { other += 1 }
                        if other == run { closedAt = k + other; break }
                        k += other
                    } else {
                        k += 1
                    }
                }
                i = closedAt ?? (i + run)
                continue
            }
            if b == UInt8(ascii: "<"), i + 3 < c.count, c[i + 1] == UInt8(ascii: "!"),
               c[i + 2] == UInt8(ascii: "-"), c[i + 3] == UInt8(ascii: "-") {
                if let close = find(c, commentClose, from: i + 4) {
                    spans.append(i..<(close + 3))
                    i = close + 3
                    continue
                }
                spans.append(i..<c.count)
                inComment = true
                return
            }
            i += 1
        }
    }
}
