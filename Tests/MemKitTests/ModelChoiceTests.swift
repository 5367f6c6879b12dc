import Foundation
import Testing
@testable import MemKit

/// Where a conversation may go: its own model, or the memory model the user chose (C4).
@Suite struct ModelChoiceTests {
    func exchange(_ id: String, model: String?) -> Exchange {
        Exchange(id: id, conversation: "c", model: model, datetime: nil, prompt: "I like Rust.", system: nil, fragments: [],
                 response: "", cursor: id)
    }

    func scratchDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("model-choice-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func withNoMemoryModelEachExchangeGoesToItsOwnModelAndOneWithoutAModelToTheOfflineExtractor() {
        let none = ModelChoice(memoryModel: nil, origin: nil)
        #expect(none.route(exchange("a", model: "gpt-4o-mini")) == .model("gpt-4o-mini"))
        #expect(none.route(exchange("b", model: nil)) == .local)
        #expect(none.route(exchange("c", model: "  ")) == .local)
        let chosen = ModelChoice(memoryModel: "claude-3.5-haiku", origin: .environment)
        #expect(chosen.route(exchange("a", model: "gpt-4o-mini")) == .model("claude-3.5-haiku"))
        #expect(ModelChoice(memoryModel: "local", origin: .option).route(exchange("a", model: "gpt-4o")) == .local)
    }

    @Test func oneCallTakesExchangesUpToTheFirstToSendOfAnotherModel() {
        let none = ModelChoice(memoryModel: nil, origin: nil)
        let exchanges = [exchange("e1", model: "echo"), exchange("q", model: "scripted"), exchange("e2", model: "echo"),
                         exchange("s1", model: "scripted"), exchange("e3", model: "echo")]
        // "q" is not sent (the gate dropped it): its model does not matter.
        let prefix = none.sameRoutePrefix(exchanges[...], send: [true, false, true, true, true])
        #expect(prefix.count == 3)
        #expect(prefix.route == .model("echo"))
        let rest = none.sameRoutePrefix(exchanges[3...], send: [true, false, true, true, true])
        #expect(rest.count == 1 && rest.route == .model("scripted"))
        // A chosen memory model takes them all.
        #expect(ModelChoice(memoryModel: "m", origin: .option).sameRoutePrefix(exchanges[...], send: [true, true, true, true, true]).count == 5)
    }

    @Test func theOptionWinsOverTheMemoryModelFileWhichWinsOverNone() throws {
        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // (LLM_MEMORY_MODEL is not set in the test process; ProposeCommandTests covers it.)
        #expect(try ModelChoice.resolve(option: nil, memoryDir: dir) == ModelChoice(memoryModel: nil, origin: nil))
        try "gpt-4o-mini\n".write(toFile: ModelChoice.file(memoryDir: dir), atomically: true, encoding: .utf8)
        #expect(try ModelChoice.resolve(option: nil, memoryDir: dir) == ModelChoice(memoryModel: "gpt-4o-mini", origin: .file(dir + "/model")))
        #expect(try ModelChoice.resolve(option: "echo", memoryDir: dir) == ModelChoice(memoryModel: "echo", origin: .option))
        try "  \n\n".write(toFile: ModelChoice.file(memoryDir: dir), atomically: true, encoding: .utf8)
        #expect(try ModelChoice.resolve(option: nil, memoryDir: dir).memoryModel == nil)
    }

    @Test func aMemoryModelFileThatIsNotOneModelIdIsADataErrorNotASilentNone() throws {
        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for content in ["gpt-4o\nclaude\n", "gpt\u{1}4o", String(repeating: "x", count: 5000)] {
            try content.write(toFile: ModelChoice.file(memoryDir: dir), atomically: true, encoding: .utf8)
            #expect(throws: MemError.self) { try ModelChoice.resolve(option: nil, memoryDir: dir) }
        }
    }

    @Test func theProviderToSetAKeyForIsReadFromLlmsOwnMessage() {
        #expect(ModelChoice.keyProvider(in: "Error: No key found - add one using 'llm keys set anthropic' or set …") == "anthropic")
        #expect(ModelChoice.keyProvider(in: "Error: 'Unknown model: x'") == nil)
    }
}
