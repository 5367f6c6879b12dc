/// A JSON value whose objects keep their key order, so what the stages print is stable
/// and reads in a sensible order (`id` first), without Foundation's start-up cost.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The first value under `key` of an object; nil for other kinds.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact, single-line JSON (one record per line for JSON Lines).
    public func serialized() -> String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Two-space indented JSON, for deltas a person may read.
    public func prettySerialized() -> String {
        var out: [UInt8] = []
        JSONValue.write(self, into: &out, indent: true, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact form as UTF-8: mem-extract writes 100k records this way
    /// without building a String for each.
    public func write(into out: inout [UInt8]) {
        JSONValue.write(self, into: &out, indent: false, level: 0)
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], indent: Bool, level: Int) {
        switch value {
        case .null: out += "null".utf8
        case let .bool(b): out += (b ? "true" : "false").utf8
        case let .number(n):
            if n.isFinite, n == n.rounded(), abs(n) < 1e15 {
                out += String(Int64(n)).utf8
            } else if n.isFinite {
                out += "\(n)".utf8
            } else {
                out += "null".utf8
            }
        case let .string(s): writeString(s, into: &out)
        case let .array(items):
            if items.isEmpty { out += "[]".utf8; return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent: indent, level: level + 1)
                write(item, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent: indent, level: level)
            out.append(UInt8(ascii: "]"))
        case let .object(pairs):
            if pairs.isEmpty { out += "{}".utf8; return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, item)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent: indent, level: level + 1)
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent { out.append(UInt8(ascii: " ")) }
                write(item, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent: indent, level: level)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], indent: Bool, level: Int) {
        guard indent else { return }
        out.append(0x0A)
        for _ in 0..<level { out += [0x20, 0x20] }
    }

    /// Escapes on UTF-8 bytes (see `writeEscaped`).
    static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: escapedCapacity(utf8.count)) { scratch in
                guard let base = scratch.baseAddress else { return }
                out.append(contentsOf: UnsafeBufferPointer(start: base, count: writeEscaped(utf8, to: base)))
            }
        }
    }

    /// Room `writeEscaped` may need for `count` bytes: each can become `\u00XX`.
    static func escapedCapacity(_ count: Int) -> Int { 6 * count + 2 }

    /// Writes `utf8` as a JSON string literal at `dest` (which has `escapedCapacity`
    /// bytes of room) and returns how many bytes it wrote. Runs that need no escape are
    /// found eight bytes at a time and copied in one go: mem-extract writes every
    /// prompt and response through here, tens of MB on a full read.
    static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to dest: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        @inline(__always) func put(_ byte: UInt8) {
            dest[written] = byte
            written += 1
        }
        put(UInt8(ascii: "\""))
        guard let base = utf8.baseAddress else {
            put(UInt8(ascii: "\""))
            return written
        }
        let count = utf8.count
        var runStart = 0
        var i = 0
        @inline(__always) func flush() {
            if i > runStart {
                (dest + written).update(from: base + runStart, count: i - runStart)
                written += i - runStart
            }
        }
        while i < count {
            while i + 8 <= count, !mayNeedEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
            }
            // Byte by byte through the word that may hold an escape, then words again.
            let stop = min(i + 8, count)
            while i < stop {
                let b = base[i]
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    flush(); put(0x5C); put(b)
                case 0x0A:
                    flush(); put(0x5C); put(UInt8(ascii: "n"))
                case 0x0D:
                    flush(); put(0x5C); put(UInt8(ascii: "r"))
                case 0x09:
                    flush(); put(0x5C); put(UInt8(ascii: "t"))
                case 0x00..<0x20, 0x7F:
                    flush()
                    for c in "\\u00".utf8 { put(c) }
                    put(hexDigits[Int(b >> 4)]); put(hexDigits[Int(b & 0xF)])
                case 0xE2 where i + 2 < count && base[i + 1] == 0x80 && (base[i + 2] == 0xA8 || base[i + 2] == 0xA9):
                    // U+2028 and U+2029 break JavaScript readers of JSON Lines.
                    flush()
                    for c in "\\u202".utf8 { put(c) }
                    put(base[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                    i += 3
                    runStart = i
                    continue
                default:
                    i += 1
                    continue
                }
                i += 1
                runStart = i
            }
        }
        flush()
        put(UInt8(ascii: "\""))
        return written
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// True when one of the eight bytes is a control byte, `"`, `\\`, DEL or 0xE2 (the lead
    /// byte of U+2028/U+2029): the bit tricks of "Bit Twiddling Hacks" (haszero, hasless).
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = hasZero(word ^ (ones &* 0x22))
        let backslash = hasZero(word ^ (ones &* 0x5C))
        let delete = hasZero(word ^ (ones &* 0x7F))
        let separator = hasZero(word ^ (ones &* 0xE2))
        return (control | quote | backslash | delete | separator) != 0
    }
}
