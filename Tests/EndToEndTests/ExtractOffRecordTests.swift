import Foundation
import Testing

/// mem-extract keeps off the record what the real llm (0.36, and 0.31.1's legacy schema)
/// logged with the off-record marker fragment, what lies in a paused stretch, and the rest
/// of such a conversation; `--newest` gives the point a pause starts from.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venvs (make test-env)"))
struct ExtractOffRecordTests {
    static let marker = Repo.root.appendingPathComponent("share/llm-memory/off-record.md").path

    enum LLM: String, CaseIterable, CustomTestStringConvertible {
        case current = "0.36", legacy = "0.31.1"
        var path: String { self == .current ? Repo.llm : Repo.llmLegacy }
        var testDescription: String { "llm \(rawValue)" }
    }

    struct Log {
        let sandbox: Sandbox

        init() throws { sandbox = try Sandbox() }

        @discardableResult
        func llm(_ llm: LLM, _ arguments: [String], stdin: String = "") throws -> RunResult {
            let result = try run(llm.path, arguments, stdin: Data(stdin.utf8), environment: sandbox.environment)
            #expect(result.status == 0, "llm \(arguments): \(result.err)")
            return result
        }

        func extract(_ arguments: [String] = []) throws -> RunResult {
            try run(Repo.tool("mem-extract"), arguments, environment: sandbox.environment)
        }

        func records(_ arguments: [String] = []) throws -> [[String: Any]] {
            let result = try extract(arguments)
            #expect(result.status == 0, "mem-extract: \(result.err)")
            return try result.out.split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
    }

    /// The record's `skip`, "-" when it has none.
    static func skip(_ record: [String: Any]) -> String { record["skip"] as? String ?? "-" }

    static func expectNoText(_ record: [String: Any], _ label: String) {
        for key in ["prompt", "system", "response"] {
            #expect(record[key] is NSNull, "\(key) of \(label)")
        }
        #expect((record["fragments"] as? [Any])?.isEmpty == true, "fragments of \(label)")
    }

    @Test(arguments: LLM.allCases)
    func aCallWithTheMarkerIsKeptOffTheRecordAndTheNextNormalCallIsNot(llm: LLM) throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        let echoed = try log.llm(llm, ["-m", "echo", "--sf", Self.marker, "-s", "be brief", "I am a dentist"])
        // The model received exactly what it would have without the marker.
        #expect(echoed.out.contains(#""system": "be brief""#), "\(echoed.out)")
        #expect(echoed.out.contains(#""prompt": "I am a dentist""#), "\(echoed.out)")
        try log.llm(llm, ["-m", "echo", "I live in Lisbon"])

        let result = try log.extract()
        #expect(!result.out.contains("dentist"), "the words said off the record were printed")
        #expect(!result.out.contains("be brief"))
        let records = try log.records()
        #expect(records.map(Self.skip) == ["disabled", "-"])
        Self.expectNoText(records[0], "the marked call")
        #expect(records[0]["cursor"] is String && records[0]["id"] is String && records[0]["model"] as? String == "echo")
        #expect(records[1]["prompt"] as? String == "I live in Lisbon")
    }

    /// `llm chat --sf` links the fragment to the chat's first turn only; the later turns,
    /// and a `-c` continuation after the chat, are off the record all the same.
    @Test(arguments: LLM.allCases)
    func everyTurnOfAChatStartedWithTheMarkerAndItsContinuationsAreOffTheRecord(llm: LLM) throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        try log.llm(llm, ["chat", "-m", "echo", "--sf", Self.marker], stdin: "I am a dentist\nI live in Madrid\nquit\n")
        try log.llm(llm, ["-m", "echo", "-c", "I am 41 years old"])
        try log.llm(llm, ["-m", "echo", "I like green tea"])
        let records = try log.records()
        #expect(records.map(Self.skip) == ["disabled", "disabled", "disabled", "-"])
        #expect(Set(records.prefix(3).compactMap { $0["conversation"] as? String }).count == 1)
        #expect(records[3]["prompt"] as? String == "I like green tea")
        // Read in steps, as updates do, the same exchanges are kept off the record.
        var cursor = ""
        var stepped: [String] = []
        while let next = try log.records(["--after", cursor, "--limit", "1"]).first {
            stepped.append(Self.skip(next))
            cursor = try #require(next["cursor"] as? String)
        }
        #expect(stepped == records.map(Self.skip))
    }

    /// A `-c` made off the record in the middle of a conversation: what came before was
    /// said on the record; from there on the conversation is off it.
    @Test(arguments: LLM.allCases)
    func aContinuationWithTheMarkerLeavesWhatCameBeforeOnTheRecord(llm: LLM) throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        try log.llm(llm, ["-m", "echo", "I like green tea"])
        try log.llm(llm, ["-m", "echo", "-c", "--sf", Self.marker, "I am a dentist"])
        try log.llm(llm, ["-m", "echo", "-c", "I live in Madrid"])
        #expect(try log.records().map(Self.skip) == ["-", "disabled", "disabled"])
    }

    /// A conversation 0.31.1 began off the record (in `responses`), continued by 0.36 (in
    /// `turns`, the database migrated), and read from after its first exchange.
    @Test func aConversationBegunOffTheRecordByLLM031StaysOffItInLLM036() throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        try log.llm(.legacy, ["-m", "echo", "--sf", Self.marker, "I am a dentist"])
        try log.llm(.current, ["-m", "echo", "-c", "I live in Madrid"])
        try log.llm(.current, ["-m", "echo", "I like green tea"])
        let records = try log.records()
        #expect(records.map(Self.skip) == ["disabled", "disabled", "-"])
        #expect(records[0]["conversation"] as? String == records[1]["conversation"] as? String)
        let first = try #require(records[0]["cursor"] as? String)
        #expect(try log.records(["--after", first]).map(Self.skip) == ["disabled", "-"])
    }

    /// llm keeps the source of whichever call first stored the text; any whitespace that is
    /// not the marker's is an ordinary fragment.
    @Test func theMarkerIsKnownByItsTextWhereverItCameFromAndOtherWhitespaceIsNot() throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        let copy = log.sandbox.root.appendingPathComponent("my-copy.md").path
        let other = log.sandbox.root.appendingPathComponent("blank.md").path
        try FileManager.default.copyItem(atPath: Self.marker, toPath: copy)
        try Data(" \n".utf8).write(to: URL(fileURLWithPath: other))
        try log.llm(.current, ["-m", "echo", "--sf", copy, "I am a dentist"])
        try log.llm(.current, ["-m", "echo", "--sf", Self.marker, "I am a nurse"])
        try log.llm(.current, ["-m", "echo", "--sf", other, "I live in Lisbon"])
        let records = try log.records()
        #expect(records.map(Self.skip) == ["disabled", "disabled", "-"])
        #expect(records[2]["prompt"] as? String == "I live in Lisbon")
    }

    @Test func newestIsTheLastExchangesCursorAndStartBeforeLLMLogsAnything() throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        let none = try log.extract(["--newest"])
        #expect(none.status == 0 && none.out == "r0.t0\n", "\(none.err)")
        try log.llm(.legacy, ["-m", "echo", "one"])
        try log.llm(.current, ["-m", "echo", "two"])
        let newest = try log.extract(["--newest"])
        #expect(newest.status == 0)
        #expect(newest.out == "\(try #require(try log.records().last?["cursor"] as? String))\n")
        #expect(try log.records(["--after", newest.out]).isEmpty)
        for extra in [["--after", "r0.t1"], ["--count"], ["--limit", "1"], ["--off-record", "x"]] {
            let refused = try log.extract(["--newest"] + extra)
            #expect(refused.status == 64, "--newest \(extra)")
            #expect(refused.out.isEmpty)
        }
    }

    /// The porcelain's `pause` and `resume` lines, written here by hand around real calls.
    @Test func exchangesInAPausedStretchAreOffTheRecordAndThoseAroundItAreNot() throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        let file = log.sandbox.root.appendingPathComponent("off-record").path
        try log.llm(.current, ["-m", "echo", "I like green tea"])
        let pause = try log.extract(["--newest"]).out
        try log.llm(.current, ["-m", "echo", "I live in Madrid"])
        try log.llm(.current, ["-m", "echo", "-c", "I am a dentist"])
        let resume = try log.extract(["--newest"]).out
        try log.llm(.current, ["-m", "echo", "-c", "I am 41 years old"])
        try log.llm(.current, ["-m", "echo", "I play the cello"])
        try Data("pause \(pause)resume \(resume)".utf8).write(to: URL(fileURLWithPath: file))

        let records = try log.records(["--off-record", file])
        // The third and fourth: inside, and a later exchange of a paused conversation.
        #expect(records.map(Self.skip) == ["-", "paused", "paused", "paused", "-"])
        for record in records where Self.skip(record) == "paused" { Self.expectNoText(record, "a paused exchange") }
        let out = try log.extract(["--off-record", file]).out
        for words in ["Madrid", "dentist", "41 years"] { #expect(!out.contains(words), "\(words)") }
        // Still paused (no resume yet): everything after the pause.
        try Data("pause \(pause)".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try log.records(["--off-record", file]).map(Self.skip) == ["-", "paused", "paused", "paused", "paused"])
        // No file: no stretch.
        #expect(try log.records(["--off-record", file + ".none"]).map(Self.skip) == ["-", "-", "-", "-", "-"])
    }

    /// llm sets `datetime_utc` when a call starts; a call started while paused that
    /// committed after the resume (here: the resume's cursor taken before it) is inside.
    @Test func aCallStartedBeforeTheResumeButCommittedAfterItIsOffTheRecord() throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        let file = log.sandbox.root.appendingPathComponent("off-record").path
        try log.llm(.current, ["-m", "echo", "I like green tea"])
        let pause = try log.extract(["--newest"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        try log.llm(.current, ["-m", "echo", "I live in Madrid"])
        let records = try log.records()
        let started = try #require(records.last?["datetime"] as? String)
        let second = String(started.prefix(19))
        // The resume's cursor says nothing was committed while paused; its time is the
        // second the late call started in.
        try Data("pause \(pause) \(second)Z\nresume \(pause) \(second)Z\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try log.records(["--off-record", file]).map(Self.skip) == ["-", "paused"])
        // A resume a second before it started: the call is after the stretch.
        let earlier = try #require(ISO8601DateFormatter().date(from: second + "Z")).addingTimeInterval(-1)
        let before = String(ISO8601DateFormatter().string(from: earlier).prefix(19))
        try Data("pause \(pause) \(before)Z\nresume \(pause) \(before)Z\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try log.records(["--off-record", file]).map(Self.skip) == ["-", "-"])
    }

    @Test func aBrokenOffRecordFileStopsTheReadWithOneLineAndPrintsNothing() throws {
        let log = try Log()
        defer { log.sandbox.remove() }
        try log.llm(.current, ["-m", "echo", "I live in Madrid"])
        let file = log.sandbox.root.appendingPathComponent("off-record").path
        try Data("pause r0.t0\npaused since yesterday\n".utf8).write(to: URL(fileURLWithPath: file))
        let result = try log.extract(["--off-record", file])
        #expect(result.status == 65)
        #expect(result.out.isEmpty)
        #expect(result.err.split(separator: "\n").count == 1)
        #expect(result.err.contains("line 2"), "\(result.err)")
    }
}
