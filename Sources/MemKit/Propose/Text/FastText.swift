#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers the gate and the tokenizer ask of every character of every prompt, without the
/// general machinery where ASCII settles them: a year of history is tens of megabytes of
/// typed text (pastes of logs and code), and Unicode property tables, grapheme breaking
/// and the standard library's substring search cost most of the time a backfill's
/// estimate takes. Each answer is the one the general call gives.
extension Unicode.Scalar {
    /// `properties.isAlphabetic`.
    @inline(__always) var isLetterFast: Bool { value < 0x80 ? (value | 0x20) &- 0x61 < 26 : properties.isAlphabetic }
    /// `properties.numericType != nil`.
    @inline(__always) var isNumericFast: Bool { value < 0x80 ? value &- 0x30 < 10 : properties.numericType != nil }
    /// `properties.isWhitespace`.
    @inline(__always) var isWhitespaceFast: Bool {
        value < 0x80 ? value == 0x20 || value &- 0x09 < 5 : properties.isWhitespace
    }
    /// `properties.generalCategory == .nonspacingMark` (never ASCII).
    @inline(__always) var isNonspacingMarkFast: Bool { value >= 0x80 && properties.generalCategory == .nonspacingMark }
}

extension StringProtocol {
    /// Whether the UTF-8 text holds none of `bytes` (all ASCII).
    func lacksBytes(_ bytes: [UInt8]) -> Bool {
        !utf8.contains { bytes.contains($0) }
    }

    /// Whether `needle` occurs in the text, compared byte for byte in UTF-8.
    ///
    /// Why not `contains(_:)`: the standard library's substring search (from
    /// _StringProcessing) compares Characters and builds a search table on every call; the
    /// gate asks dozens of fixed, ASCII phrases of every line of every prompt, and on a
    /// year of history (pastes of many KB) that search was nine tenths of the time a
    /// backfill's estimate took. For ASCII needles the answers are the same except next to
    /// a combining mark (`"about me\u{301}"` holds "about me" here, not there).
    func containsText(_ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { pattern in
            let found = utf8.withContiguousStorageIfAvailable { text in find(pattern, in: text) }
            return found ?? Array(utf8).withUnsafeBufferPointer { find(pattern, in: $0) }
        }
    }
}

/// Whether `pattern` occurs in `text`: memchr to each place its first byte is, memcmp there.
private func find(_ pattern: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = pattern.first else { return true }
    guard var at = text.baseAddress, text.count >= pattern.count, let patternStart = pattern.baseAddress else { return false }
    let last = text.baseAddress! + (text.count - pattern.count)
    while at <= last {
        guard let hit = memchr(at, Int32(first), last - at + 1) else { return false }
        let p = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
        if memcmp(p, patternStart, pattern.count) == 0 { return true }
        at = p + 1
    }
    return false
}

extension UnsafeBufferPointer<UInt8> {
    /// The index of the first `byte` at or after `start` (memchr), or nil.
    func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        guard let base = baseAddress, start < count, let hit = memchr(base + start, Int32(byte), count - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}
