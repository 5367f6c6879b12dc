/// Cleaning a model's reply and its texts: reasoning blocks out, code fences found,
/// whitespace collapsed, short redacted snippets for reports (see `ReplyParser`).
extension ReplyParser {
    static let reasoningTags = ["think", "thinking", "reasoning", "reflection"]

    /// Removes reasoning blocks; returns the rest and a note when a block never closed.
    static func stripReasoning(_ text: String) -> (String, String?) {
        var rest = text
        var note: String?
        // A reply that starts inside a block: a closing tag with no opening tag before it.
        for tag in reasoningTags {
            guard let close = rest.range(of: "</\(tag)>", caseInsensitive: true) else { continue }
            let before = rest[..<close.lowerBound]
            if before.range(of: "<\(tag)>", caseInsensitive: true) == nil {
                rest = String(rest[close.upperBound...])
            }
        }
        var out = ""
        var cursor = rest.startIndex
        while cursor < rest.endIndex {
            var earliest: (Range<String.Index>, String)?
            for tag in reasoningTags {
                if let r = rest[cursor...].range(of: "<\(tag)>", caseInsensitive: true),
                   earliest == nil || r.lowerBound < earliest!.0.lowerBound {
                    earliest = (r, tag)
                }
            }
            guard let (open, tag) = earliest else { break }
            out += rest[cursor..<open.lowerBound]
            if let close = rest[open.upperBound...].range(of: "</\(tag)>", caseInsensitive: true) {
                cursor = close.upperBound
            } else {
                note = "the model's reply has an unclosed <\(tag)> block; what followed it was ignored"
                cursor = rest.endIndex
            }
        }
        out += rest[cursor...]
        return (out, note)
    }

    /// The contents of ``` fenced blocks, in order (an unclosed last fence runs to the end).
    static func fencedBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.hasPrefix("```") {
                if let lines = current {
                    blocks.append(lines.joined(separator: "\n"))
                    current = nil
                } else {
                    current = []
                }
                continue
            }
            current?.append(line)
        }
        if let lines = current, !lines.isEmpty { blocks.append(lines.joined(separator: "\n")) }
        return blocks
    }

    static func normalized(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    /// Collapsed whitespace, no leading bullet marker.
    static func bulletText(_ s: String) -> String {
        var t = normalized(s)
        for marker in ["- ", "* ", "• "] where t.hasPrefix(marker) {
            t = String(t.dropFirst(marker.count)).trimmingWhitespace()
            break
        }
        return t
    }

    static func short(_ s: String, _ limit: Int) -> String {
        let flat = normalized(s)
        guard flat.unicodeScalars.count > limit else { return flat }
        return String(String.UnicodeScalarView(flat.unicodeScalars.prefix(limit))) + "…"
    }

    static func display(_ value: JSONValue) -> String {
        if case let .string(s) = value { return "\"\(s)\"" }
        return value.serialized()
    }

    /// The start of a reply for a warning, redacted.
    static func snippet(_ text: String) -> String {
        short(Redactor.redact(text.trimmingWhitespace()), 80)
    }
}

extension StringProtocol {
    /// ASCII case-insensitive search, no Foundation.
    fileprivate func range(of needle: String, caseInsensitive: Bool) -> Range<Index>? {
        let target = Array(needle.lowercased().utf8)
        guard let first = target.first else { return nil }
        let view = utf8
        var i = view.startIndex
        while i != view.endIndex {
            if lowerASCII(view[i]) == first {
                var j = i
                var k = 0
                while k < target.count, j != view.endIndex, lowerASCII(view[j]) == target[k] {
                    j = view.index(after: j)
                    k += 1
                }
                if k == target.count { return i..<j }
            }
            i = view.index(after: i)
        }
        return nil
    }
}

@inline(__always) private func lowerASCII(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b }
