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
