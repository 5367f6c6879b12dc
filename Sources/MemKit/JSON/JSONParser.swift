/// Parses JSON from UTF-8 bytes.
///
/// `strict` is for our own machine formats (exchanges, deltas): anything malformed is an
/// error. `lenient` is for model replies, which are untrusted: it accepts trailing commas,
/// and when the text ends mid-value it returns the containers closed at that point with
/// only their complete members, setting `truncated`, so a cut-off reply keeps its
/// complete ops.
public struct JSONParser {
    public enum Mode: Sendable { case strict, lenient }

    public struct Failure: Error, Sendable {
        public let message: String
        public let offset: Int
    }

    private let bytes: [UInt8]
    private var index: Int
    private let mode: Mode
    private var depth = 0
    /// Set when a lenient parse hit the end of input inside a value.
    public private(set) var truncated = false
    /// Where parsing stopped; a caller scanning text for several values resumes here.
    public var position: Int { index }

    private static let maxDepth = 200

    public init(bytes: [UInt8], start: Int = 0, mode: Mode = .strict) {
        self.bytes = bytes
        self.index = start
        self.mode = mode
    }

    /// Parses one document; in strict mode nothing but whitespace may follow it.
    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index != bytes.count {
            throw Failure(message: "unexpected text after the JSON value", offset: parser.index)
        }
        return value
    }

    private struct EndOfInput: Error {}
    /// A container cut off by the end of the text, holding its complete members only.
    private struct Truncated: Error { let partial: JSONValue }

    public mutating func parseValue() throws(Failure) -> JSONValue {
        do {
            return try value()
        } catch let failure as Failure {
            throw failure
        } catch let cut as Truncated where mode == .lenient {
            truncated = true
            return cut.partial
        } catch {
            throw Failure(message: "the JSON text ends too early", offset: index)
        }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func fail(_ message: String) -> Failure {
        Failure(message: message, offset: index)
    }

    private mutating func value() throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw EndOfInput() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character in JSON")
        }
    }

    private mutating func literal(_ word: String) throws {
        let expected = Array(word.utf8)
        let count = expected.count
        for i in 0..<count {
            guard index + i < bytes.count else { throw EndOfInput() }
            if bytes[index + i] != expected[i] { throw fail("invalid literal in JSON") }
        }
        index += count
    }

    private mutating func number() throws -> JSONValue {
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                 UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                guard let n = Double(text) else { throw fail("invalid number in JSON") }
                return .number(n)
            }
        }
        throw EndOfInput()
    }

    private mutating func enter() throws {
        depth += 1
        if depth > JSONParser.maxDepth { throw fail("JSON nested too deeply") }
    }

    private mutating func array() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        while true {
            skipWhitespace()
            guard index < bytes.count else { return try truncatedEnd(.array(items)) }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            let item: JSONValue
            do {
                item = try value()
            } catch is EndOfInput {
                return try truncatedEnd(.array(items))
            } catch let cut as Truncated {
                items.append(cut.partial)
                return try truncatedEnd(.array(items))
            }
            items.append(item)
            skipWhitespace()
            guard index < bytes.count else { return try truncatedEnd(.array(items)) }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    guard mode == .lenient else { throw fail("trailing comma in JSON array") }
                    index += 1
                    return .array(items)
                }
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw fail("expected ',' or ']' in JSON array")
            }
        }
    }

    private mutating func object() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var pairs: [(String, JSONValue)] = []
        while true {
            skipWhitespace()
            guard index < bytes.count else { return try truncatedEnd(.object(pairs)) }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
            guard bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key in JSON object") }
            var key = ""
            let item: JSONValue
            do {
                key = try string()
                skipWhitespace()
                guard index < bytes.count else { throw EndOfInput() }
                guard bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' in JSON object") }
                index += 1
                item = try value()
            } catch is EndOfInput {
                return try truncatedEnd(.object(pairs))
            } catch let cut as Truncated {
                pairs.append((key, cut.partial))
                return try truncatedEnd(.object(pairs))
            }
            pairs.append((key, item))
            skipWhitespace()
            guard index < bytes.count else { return try truncatedEnd(.object(pairs)) }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    guard mode == .lenient else { throw fail("trailing comma in JSON object") }
                    index += 1
                    return .object(pairs)
                }
            case UInt8(ascii: "}"): index += 1; return .object(pairs)
            default: throw fail("expected ',' or '}' in JSON object")
            }
        }
    }

    /// A container cut off by the end of the text keeps its complete members (a scalar
    /// cut off is dropped) and stays in its parent, so `{"ops":[{…},{…},{"op":"ad` keeps
    /// the complete ops; callers validate what an object must hold.
    private func truncatedEnd(_ partial: JSONValue) throws -> JSONValue {
        guard mode == .lenient else { throw EndOfInput() }
        throw Truncated(partial: partial)
    }

    private mutating func string() throws -> String {
        index += 1
        // Runs between escapes are decoded into the result whole (a copy for valid UTF-8),
        // not scalar by scalar: the history's cache and journal are megabytes of strings.
        var result = ""
        var runStart = index
        func flushRun(_ bytes: [UInt8], _ from: Int, _ to: Int, _ result: inout String) {
            if to > from {
                result += String(decoding: bytes[from..<to], as: UTF8.self)
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flushRun(bytes, runStart, index, &result)
                index += 1
                return result
            }
            if byte == UInt8(ascii: "\\") {
                flushRun(bytes, runStart, index, &result)
                index += 1
                guard index < bytes.count else { throw EndOfInput() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): result.unicodeScalars.append("\"")
                case UInt8(ascii: "\\"): result.unicodeScalars.append("\\")
                case UInt8(ascii: "/"): result.unicodeScalars.append("/")
                case UInt8(ascii: "b"): result.unicodeScalars.append("\u{08}")
                case UInt8(ascii: "f"): result.unicodeScalars.append("\u{0C}")
                case UInt8(ascii: "n"): result.unicodeScalars.append("\n")
                case UInt8(ascii: "r"): result.unicodeScalars.append("\r")
                case UInt8(ascii: "t"): result.unicodeScalars.append("\t")
                case UInt8(ascii: "u"):
                    let unit = try hex4()
                    if (0xD800..<0xDC00).contains(unit) {
                        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                            index += 2
                            let low = try hex4()
                            if (0xDC00..<0xE000).contains(low) {
                                let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                                result.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                            } else {
                                result.unicodeScalars.append("\u{FFFD}")
                                result.unicodeScalars.append(Unicode.Scalar(low) ?? "\u{FFFD}")
                            }
                        } else {
                            result.unicodeScalars.append("\u{FFFD}")
                        }
                    } else {
                        result.unicodeScalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                    }
                default: throw fail("invalid escape in JSON string")
                }
                runStart = index
                continue
            }
            if byte < 0x20 {
                guard mode == .lenient else { throw fail("control character in JSON string") }
            }
            index += 1
        }
        throw EndOfInput()
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw EndOfInput() }
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape in JSON string")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}
