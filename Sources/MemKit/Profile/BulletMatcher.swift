/// Tolerant comparison of bullet texts, for an op's `old`/`text` against what the profile
/// holds. Two texts match when they say the same thing up to:
///
/// - letter case, and runs of whitespace;
/// - punctuation and Markdown emphasis (`*`, `_`, `` ` ``): these separate words, so
///   "full-stack" matches "full stack"; apostrophes are dropped ("user's" = "users");
///   `+` and `#` directly after a letter or digit count as part of the word, so "C++",
///   "C#" and "C" stay different;
/// - a leading `Key:` prefix (up to five words, then a colon and a space) on one side
///   only: "Role: Rust developer" matches "rust developer". When both sides have a key,
///   the keys must match too ("Likes: cats" never matches "Dislikes: cats").
///
/// A text with nothing left after normalising (only punctuation or emoji) matches nothing.
public struct BulletMatcher: Sendable {
    /// The whole text, normalised: words joined by single spaces.
    public let normalized: String
    /// The normalised key of a leading `Key:` prefix, if any.
    public let key: String?
    /// The normalised text after the key (the whole text when there is no key).
    public let value: String

    public init(_ text: String) {
        normalized = BulletMatcher.normalize(text)
        if let (rawKey, rawValue) = BulletMatcher.splitKey(text) {
            let k = BulletMatcher.normalize(rawKey)
            let v = BulletMatcher.normalize(rawValue)
            if !k.isEmpty, !v.isEmpty {
                key = k
                value = v
                return
            }
        }
        key = nil
        value = normalized
    }

    /// Whether `self` and `other` say the same thing (see the type's documentation).
    public func matches(_ other: BulletMatcher) -> Bool {
        if normalized.isEmpty || other.normalized.isEmpty { return false }
        if normalized == other.normalized { return true }
        switch (key, other.key) {
        case let (a?, b?):
            return a == b && value == other.value
        case (nil, nil):
            return false
        default:
            return !value.isEmpty && value == other.value
        }
    }

    public func matches(_ text: String) -> Bool { matches(BulletMatcher(text)) }

    public static func matches(_ a: String, _ b: String) -> Bool { BulletMatcher(a).matches(BulletMatcher(b)) }

    /// Lowercased words, separated by single spaces; punctuation, symbols and emphasis
    /// markers separate words; apostrophes vanish; `+`/`#` after a word character stay.
    public static func normalize(_ text: String) -> String {
        if let ascii = normalizeASCII(text) { return ascii }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        var previousWasWord = false
        for scalar in text.lowercased().unicodeScalars {
            let properties = scalar.properties
            let isWord = properties.isAlphabetic || properties.numericType != nil
                || (properties.generalCategory == .nonspacingMark && previousWasWord)
            if isWord || (previousWasWord && (scalar == "+" || scalar == "#")) {
                if pendingSpace, !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
                previousWasWord = true
            } else if scalar == "'" || scalar == "\u{2019}" || scalar == "\u{02BC}" {
                // Apostrophes join: "user's" reads as "users".
                continue
            } else {
                pendingSpace = true
                previousWasWord = false
            }
        }
        return String(out)
    }

    /// The same rules on bytes, for the common all-ASCII bullet (a merge compares every
    /// bullet of a section for every op, so this is the merge's hot loop); nil when the
    /// text has non-ASCII characters.
    static func normalizeASCII(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        var previousWasWord = false
        for byte in text.utf8 {
            if byte >= 0x80 { return nil }
            let lower = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            let isWord = (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39)
            if isWord || (previousWasWord && (byte == 0x2B || byte == 0x23)) {
                if pendingSpace, !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(lower)
                previousWasWord = true
            } else if byte == 0x27 {
                continue
            } else {
                pendingSpace = true
                previousWasWord = false
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `splitKey` on bytes, for all-ASCII text (same rules).
    static func splitKeyASCII(_ text: String) -> (key: String, value: String)? {
        let bytes = text.utf8.filter { $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: "`") }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, colon + 1 < bytes.count,
              isSpace(bytes[colon + 1]) else { return nil }
        func trimmed(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var s = slice
            while let f = s.first, isSpace(f) { s = s.dropFirst() }
            while let l = s.last, isSpace(l) { s = s.dropLast() }
            return s
        }
        let key = trimmed(bytes[..<colon])
        guard !key.isEmpty, key.count <= 40,
              key.contains(where: { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else { return nil }
        var words = 0
        var inWord = false
        for b in key {
            if isSpace(b) { inWord = false } else if !inWord { inWord = true; words += 1 }
        }
        guard words <= 5 else { return nil }
        let value = trimmed(bytes[(colon + 1)...])
        guard !value.isEmpty else { return nil }
        return (String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Splits a leading `Key: value` (emphasis markers ignored). The key is 1–5 words,
    /// at most 40 characters, with a letter in it; the colon must be followed by a space.
    static func splitKey(_ text: String) -> (key: String, value: String)? {
        guard text.utf8.contains(UInt8(ascii: ":")) else { return nil }
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return splitKeyASCII(text) }
        var stripped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where scalar != "*" && scalar != "_" && scalar != "`" {
            stripped.append(scalar)
        }
        let scalars = Array(stripped)
        guard let colon = scalars.firstIndex(of: ":"), colon > 0, colon + 1 < scalars.count,
              scalars[colon + 1].properties.isWhitespace else { return nil }
        let keyText = String(String.UnicodeScalarView(scalars[..<colon])).trimmingWhitespace()
        guard !keyText.isEmpty, keyText.unicodeScalars.count <= 40,
              keyText.unicodeScalars.contains(where: { $0.properties.isAlphabetic }) else { return nil }
        let words = keyText.split(whereSeparator: { $0.isWhitespace })
        guard words.count <= 5 else { return nil }
        let valueText = String(String.UnicodeScalarView(scalars[(colon + 1)...])).trimmingWhitespace()
        guard !valueText.isEmpty else { return nil }
        return (keyText, valueText)
    }
}
