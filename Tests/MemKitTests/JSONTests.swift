import Testing
@testable import MemKit

@Suite struct JSONTests {
    @Test func objectsKeepTheirKeyOrderWhenWritten() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":[true,null,"x\n\u00e9"]}"#)
        #expect(value.serialized() == #"{"z":1,"a":[true,null,"x\né"]}"#)
    }

    @Test func strictParsingRejectsTrailingCommasAndTruncation() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#"{"a":1,}"#) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#"{"a":[1,2"#) }
    }

    @Test func lenientParsingKeepsTheCompleteMembersOfATruncatedText() throws {
        var parser = JSONParser(bytes: Array(#"{"ops":[{"op":"add"},{"op":"rem"#.utf8), mode: .lenient)
        let value = try parser.parseValue()
        #expect(parser.truncated)
        #expect(value["ops"]?.arrayValue == [.object([("op", .string("add"))]), .object([("op", .null)].filter { _ in false })])
    }

    @Test func surrogatePairsDecodeToOneScalar() throws {
        #expect(try JSONParser.parse(#""\ud83c\udf89""#) == .string("🎉"))
    }
}

/// mem-extract writes records straight into a byte buffer; they must be the bytes the
/// JSON value writer gives, whatever the text (escapes at every offset of the
/// eight-byte scan, U+2028/9, control bytes, non-ASCII, empty).
@Suite struct ExchangeRecordTests {
    static let samples: [String] = {
        var texts = ["", "plain", "quote \" and \\ backslash", "tab\tcr\rnl\n", "\u{7F}\u{01}\u{1F}",
                     "line\u{2028}para\u{2029}end", "é漢字🙂", "\u{2028}", String(repeating: "x", count: 64)]
        for offset in 0..<17 {
            for special in ["\"", "\\", "\n", "\u{2028}", "\u{00}", "é", "\u{2000}"] {
                texts.append(String(repeating: "a", count: offset) + special + String(repeating: "b", count: 9))
            }
        }
        return texts
    }()

    @Test func aRecordWrittenStraightIsTheBytesOfItsJSONValue() {
        for (i, text) in Self.samples.enumerated() {
            let exchange = Exchange(
                id: "id\(i)", conversation: i % 2 == 0 ? nil : text, model: "m", datetime: nil,
                prompt: i % 3 == 0 ? nil : text, system: text,
                fragments: i % 4 == 0 ? [] : [.init(kind: .prompt, source: text), .init(kind: .system, source: "s")],
                response: text, cursor: "r0.t\(i)")
            var direct = ByteBuffer(capacity: 16)
            exchange.writeJSON(into: &direct)
            var viaValue: [UInt8] = []
            exchange.json.write(into: &viaValue)
            #expect(direct.bytes == viaValue, "sample \(i): \(text.debugDescription)")
            #expect((try? JSONParser.parse(direct.bytes)) == exchange.json)
        }
    }
}
