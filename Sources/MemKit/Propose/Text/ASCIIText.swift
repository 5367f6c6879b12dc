/// The user-text rules (`UserText`) read byte by byte, for a line that is all ASCII.
///
/// Why a second reading of the same rules: a year of history is a hundred megabytes of
/// typed text, most of it pasted prose, logs and code that the rules cut out line by line;
/// reading each line through `String`s — Characters, lowercased copies, word arrays — cost
/// eighteen seconds of a backfill's estimate on 100k exchanges, where reading the bytes
/// costs a fraction of one. In an ASCII line a byte is a scalar and a Character (a line
/// holds no carriage return: `UserText.normalized` made it a line break), and lowercasing
/// touches only `A`–`Z`, so each answer here is the general code's, byte for byte. The
/// general `String` code in `UserText` stays the definition and reads every other line;
/// `ASCIITextTests` hold the two to the same answers on the corpora and on random lines.
///
/// A text here is the bytes of one line; in a masked text the quotation placeholder
/// (`UserText.opaque`, U+FFFC) is the one byte `ASCIIText.placeholder`, which no ASCII
/// line holds and no ASCII needle matches.
enum ASCIIText {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Stands for `UserText.opaque` in a masked ASCII text (0xFF is never UTF-8).
    static let placeholder: UInt8 = 0xFF

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    /// `Unicode.Scalar.properties.isWhitespace` of an ASCII byte: tab, line feed,
    /// vertical tab, form feed, carriage return, space.
    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b &- 0x09 < 5 }
    @inline(__always) static func isSpaceOrTab(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// Whether every byte is ASCII.
    static func isASCII(_ text: Bytes) -> Bool { allBytes(of: text, carriageReturns: true) }

    /// Whether every byte is ASCII and none is a carriage return (a prompt
    /// `UserText.normalized` leaves as it is).
    static func isASCIIWithoutCarriageReturn(_ text: Bytes) -> Bool { allBytes(of: text, carriageReturns: false) }

    /// Eight bytes at a time: a prompt of pasted prose is read in a few thousand steps.
    private static func allBytes(of text: Bytes, carriageReturns: Bool) -> Bool {
        var i = 0
        let n = text.count
        guard let base = text.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
        while i + 8 <= n {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & high != 0 { return false }
            if !carriageReturns {
                // A byte of `word` is 0x0D when that byte of `x` is zero (every byte is below 0x80).
                let x = word ^ (ones &* 0x0D)
                if (x &- ones) & ~x & high != 0 { return false }
            }
            i += 8
        }
        while i < n {
            if text[i] >= 0x80 || (!carriageReturns && text[i] == 0x0D) { return false }
            i += 1
        }
        return true
    }

    /// `String.trimmingWhitespace()`: the range without whitespace at either end.
    static func trimmed(_ text: Bytes, _ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi, isWhitespace(text[lo]) { lo += 1 }
        while hi > lo, isWhitespace(text[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    static func isBlank(_ text: Bytes, _ range: Range<Int>) -> Bool {
        for i in range where !isWhitespace(text[i]) { return false }
        return true
    }

    /// Whether `text` starts with `prefix`, compared exactly or, with `lowercasing`, with
    /// the text lowercased (`prefix` is lowercase).
    static func hasPrefix(_ text: Bytes, _ prefix: StaticString, lowercasing: Bool) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard text.count >= count else { return false }
        let p = prefix.utf8Start
        for k in 0..<count {
            let b = lowercasing ? lower(text[k]) : text[k]
            if b != p[k] { return false }
        }
        return true
    }

    /// Whether `needle` (ASCII) occurs in `text`, compared exactly.
    static func contains(_ text: Bytes, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        let p = needle.utf8Start
        guard count > 0 else { return true }
        guard text.count >= count else { return false }
        let first = p[0]
        var i = 0
        outer: while i <= text.count - count {
            if text[i] == first {
                for k in 1..<count where text[i + k] != p[k] {
                    i += 1
                    continue outer
                }
                return true
            }
            i += 1
        }
        return false
    }
}

/// ASCII phrases looked for in a text, or at its start: one pass over the text for a
/// whole list — or for several lists at once, each a family — where `containsText` would
/// make one per phrase and per place.
///
/// The pass is an Aho–Corasick automaton: one table step per byte, whatever the number
/// of phrases. Bytes are first mapped to classes (every byte no phrase holds is one
/// class; a letter and its capital are one when the text is read lowercased) so the
/// table stays small enough for the cache.
struct PhraseSet: Sendable {
    /// The class of each byte; 0 for the bytes of no phrase.
    private let classes: [UInt8]
    private let classCount: Int
    /// The state after reading a byte of class c in state s: `next[s * classCount + c]`.
    /// States from `firstEnding` on end at least one phrase.
    private let next: [UInt16]
    private let firstEnding: Int
    /// For each state from `firstEnding` on, the phrases ending there: family and length.
    private let endings: [[Ending]]
    private let allFamilies: UInt64
    private let longest: Int

    private struct Ending: Sendable {
        var family: Int
        var length: Int
    }

    init(_ list: [String], lowercasing: Bool = true) {
        self.init(families: [list], lowercasing: lowercasing)
    }

    init(families lists: [[String]], lowercasing: Bool = true) {
        precondition(!lists.isEmpty && lists.count <= 64)
        let phrases = lists.enumerated().flatMap { family, list in list.map { (family: family, bytes: Array($0.utf8)) } }
        var classes = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for (_, phrase) in phrases {
            precondition(!phrase.isEmpty && phrase.allSatisfy { $0 < 0x80 && (!lowercasing || ASCIIText.lower($0) == $0) },
                         "a PhraseSet phrase is ASCII, lowercase when the text is lowercased")
            for b in phrase where classes[Int(b)] == 0 {
                classes[Int(b)] = UInt8(classCount)
                if lowercasing, ASCIIText.isLetter(b) { classes[Int(b & 0xDF)] = UInt8(classCount) }
                classCount += 1
            }
        }
        // The trie of the phrases, then the automaton's moves through failure links
        // (breadth first, so a state's failure is complete before the state is).
        var moves: [[Int]] = [[Int](repeating: -1, count: classCount)]
        var ends: [[Ending]] = [[]]
        for (family, phrase) in phrases {
            var state = 0
            for b in phrase {
                let c = Int(classes[Int(b)])
                if moves[state][c] < 0 {
                    moves[state][c] = moves.count
                    moves.append([Int](repeating: -1, count: classCount))
                    ends.append([])
                }
                state = moves[state][c]
            }
            ends[state].append(Ending(family: family, length: phrase.count))
        }
        var failure = [Int](repeating: 0, count: moves.count)
        var queue: [Int] = []
        for c in 0..<classCount {
            if moves[0][c] < 0 { moves[0][c] = 0 } else { queue.append(moves[0][c]) }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            ends[state] += ends[failure[state]]
            for c in 0..<classCount {
                let target = moves[state][c]
                if target < 0 {
                    moves[state][c] = moves[failure[state]][c]
                } else {
                    failure[target] = moves[failure[state]][c]
                    queue.append(target)
                }
            }
        }
        // Number the states that end a phrase last, so one comparison tells them.
        let order = moves.indices.filter { ends[$0].isEmpty } + moves.indices.filter { !ends[$0].isEmpty }
        precondition(order.first == 0 && order.count < Int(UInt16.max))
        var number = [Int](repeating: 0, count: moves.count)
        for (n, state) in order.enumerated() { number[state] = n }
        var next = [UInt16](repeating: 0, count: order.count * classCount)
        for (n, state) in order.enumerated() {
            for c in 0..<classCount { next[n * classCount + c] = UInt16(number[moves[state][c]]) }
        }
        self.classes = classes
        self.classCount = classCount
        self.next = next
        firstEnding = order.firstIndex(where: { !ends[$0].isEmpty }) ?? order.count
        endings = order[firstEnding...].map { ends[$0] }
        allFamilies = lists.count == 64 ? ~0 : (1 << UInt64(lists.count)) - 1
        longest = phrases.map(\.bytes.count).max() ?? 0
    }

    /// Whether any phrase occurs in `text[range]` (lowercased: `lower.containsText(phrase)`
    /// for some phrase, `lower` being the text lowercased).
    func occurs(in text: ASCIIText.Bytes, _ range: Range<Int>) -> Bool {
        found(in: text, range) != 0
    }

    /// The families with a phrase in `text[range]` that `accept` takes (given the family
    /// and where the phrase stands), as bits: 1 << family.
    func found(in text: ASCIIText.Bytes, _ range: Range<Int>,
               accept: (_ family: Int, _ at: Range<Int>) -> Bool = { _, _ in true }) -> UInt64 {
        var result: UInt64 = 0
        next.withUnsafeBufferPointer { next in
            classes.withUnsafeBufferPointer { classes in
                var state = 0
                for i in range {
                    state = Int(next[state &* classCount &+ Int(classes[Int(text[i])])])
                    guard state >= firstEnding else { continue }
                    for ending in endings[state - firstEnding] where accept(ending.family, (i + 1 - ending.length)..<(i + 1)) {
                        result |= 1 << UInt64(ending.family)
                    }
                    if result == allFamilies { return }
                }
            }
        }
        return result
    }

    /// Whether `text` starts with any phrase (`hasPrefix`, of the text lowercased).
    func isPrefix(of text: ASCIIText.Bytes) -> Bool {
        var state = 0
        for i in 0..<min(text.count, longest) {
            state = Int(next[state * classCount + Int(classes[Int(text[i])])])
            if state >= firstEnding, endings[state - firstEnding].contains(where: { $0.length == i + 1 }) { return true }
            // Back at the root, no phrase can start at 0 any more.
            if state == 0 { return false }
        }
        return false
    }
}
