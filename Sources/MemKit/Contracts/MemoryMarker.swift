#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recognises the fragment this tool injects, so its text is never taken for the user's.
///
/// The rendered fragment is wrapped in these two HTML comment lines. llm may store a
/// system fragment with no link to the `fragments` table (`--sf` alone is logged as
/// plain text), so the extractor also cuts the marked block out by content.
public enum MemoryMarker {
    public static let begin = "<!-- llm-user-memory:fragment -->"
    public static let end = "<!-- /llm-user-memory:fragment -->"

    /// Removes every marked block and the blank-line separator llm put after it. Text
    /// without a marker comes back unchanged (byte for byte).
    public static func removingBlock(_ text: String) -> String {
        guard containsBegin(text) else { return text }
        var bytes = Array(text.utf8)
        let beginBytes = Array(begin.utf8)
        let endBytes = Array(end.utf8)
        while let start = bytes.firstRange(of: beginBytes)?.lowerBound {
            var stop = bytes.count
            if let endRange = bytes[start...].firstRange(of: endBytes) {
                stop = endRange.upperBound
            }
            // Take the separator after the block (llm joins system parts with "\n\n" and
            // prompt parts with "\n"), or before it when the block ends the text.
            var after = stop
            while after < bytes.count, bytes[after] == 0x0A || bytes[after] == 0x0D { after += 1 }
            var before = start
            if after == bytes.count {
                while before > 0, bytes[before - 1] == 0x0A || bytes[before - 1] == 0x0D { before -= 1 }
            }
            bytes.removeSubrange(before..<after)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension MemoryMarker {
    private static let beginBytes = Array(begin.utf8)

    /// A byte search (memchr for the `<`, then a compare): this runs on every prompt and
    /// system text mem-extract reads, and `String.contains` (grapheme-aware) costs more
    /// than the rest of the record.
    static func containsBegin(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            beginBytes.withUnsafeBufferPointer { needle in
                guard var at = buffer.baseAddress, let first = needle.first, buffer.count >= needle.count else {
                    return false
                }
                let last = buffer.baseAddress! + (buffer.count - needle.count)
                while at <= last {
                    guard let hit = memchr(at, Int32(first), last - at + 1) else { return false }
                    let candidate = hit.assumingMemoryBound(to: UInt8.self)
                    if memcmp(candidate, needle.baseAddress!, needle.count) == 0 { return true }
                    at = UnsafePointer(candidate + 1)
                }
                return false
            }
        }
    }
}

extension Array where Element == UInt8 {
    func firstRange(of needle: [UInt8]) -> Range<Int>? {
        self[...].firstRange(of: needle)
    }
}

extension ArraySlice where Element == UInt8 {
    func firstRange(of needle: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, count >= needle.count else { return nil }
        var i = startIndex
        let last = endIndex - needle.count
        while i <= last {
            if self[i] == needle[0] {
                var j = 1
                while j < needle.count, self[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i..<(i + needle.count) }
            }
            i += 1
        }
        return nil
    }

    func hasPrefix(_ prefix: [UInt8]) -> Bool {
        count >= prefix.count && elementsEqual(prefix[...], count: prefix.count)
    }

    private func elementsEqual(_ other: ArraySlice<UInt8>, count n: Int) -> Bool {
        var i = startIndex
        var j = other.startIndex
        for _ in 0..<n {
            if self[i] != other[j] { return false }
            i += 1
            j += 1
        }
        return true
    }
}
