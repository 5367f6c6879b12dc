import Foundation
import Testing

/// mem-propose on what mem-extract printed from real llm logs with exchanges kept off
/// the record: those are read (in `sources`, `through` past them) and never sent — not to
/// a model, with the gate on or off, and not to the local extractor. No change in
/// mem-propose does this: an off-the-record record has a null prompt.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venvs (make test-env)"))
struct OffRecordProposeTests {
    static let marker = ExtractOffRecordTests.marker

    struct Setup {
        let sandbox: Sandbox
        /// mem-extract's output: one normal exchange between two off the record ones.
        let exchanges: Data
        let ids: [String]
        let lastCursor: String
        var called: String { sandbox.root.appendingPathComponent("llm-called").path }
        var sent: String { sandbox.root.appendingPathComponent("llm-stdin").path }

        /// `normal` false: every exchange is off the record, which are held with
        /// `offRecordModel`.
        init(normal: Bool = true, offRecordModel: String = "echo") throws {
            sandbox = try Sandbox()
            let env = sandbox.environment
            func llm(_ arguments: [String], model: String = "echo") throws {
                let result = try run(Repo.llm, ["-m", model] + arguments, stdin: Data(), environment: env)
                #expect(result.status == 0, "\(result.err)")
            }
            try llm(["--sf", OffRecordProposeTests.marker, "I am a dentist and I live in Madrid"], model: offRecordModel)
            if normal { try llm(["I live in Lisbon"]) }
            try llm(["--sf", OffRecordProposeTests.marker, "I prefer short answers"], model: offRecordModel)
            let extracted = try run(Repo.tool("mem-extract"), [], environment: env)
            #expect(extracted.status == 0, "\(extracted.err)")
            exchanges = extracted.stdout
            let records = try extracted.out.split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(records.map { $0["skip"] as? String ?? "-" } == (normal ? ["disabled", "-", "disabled"] : ["disabled", "disabled"]))
            ids = records.compactMap { $0["id"] as? String }
            lastCursor = try #require(records.last?["cursor"] as? String)
        }

        /// A stand-in `llm` that notes it was called and what it was sent, and answers
        /// with one op for exchange 1.
        func fakeLLM() throws -> String {
            let script = sandbox.root.appendingPathComponent("fake-llm")
            try """
                #!/bin/sh
                echo called >> '\(called)'
                cat >> '\(sent)'
                echo '{"ops": [{"op": "add", "section": "Personal Information", "text": "Lives in Lisbon", "ex": 1}]}'
                """.write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            return script.path
        }

        func propose(_ arguments: [String]) throws -> (result: RunResult, delta: [String: Any]) {
            let profile = sandbox.root.appendingPathComponent("profile.md").path
            let result = try run(Repo.tool("mem-propose"), ["--profile", profile] + arguments, stdin: exchanges,
                                 environment: sandbox.environment)
            #expect(result.status == 0, "\(result.err)")
            return (result, try #require(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]))
        }

        func file(_ path: String) -> String {
            (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }
    }

    @Test(arguments: [[], ["--no-gate"]])
    func offTheRecordExchangesAreReadButOnlyTheNormalOneIsSent(gate: [String]) throws {
        let setup = try Setup()
        defer { setup.sandbox.remove() }
        let (_, delta) = try setup.propose(["--model", "echo", "--llm", try setup.fakeLLM()] + gate)
        #expect(setup.file(setup.called) == "called\n")
        let sent = setup.file(setup.sent)
        #expect(sent.contains("I live in Lisbon"))
        for words in ["dentist", "Madrid", "short answers"] { #expect(!sent.contains(words), "\(words) was sent") }
        #expect(delta["sources"] as? [String] == setup.ids)
        #expect(delta["through"] as? String == setup.lastCursor)
        #expect((delta["ops"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Lives in Lisbon"])
    }

    @Test(arguments: [[], ["--no-gate"]])
    func aBatchOfOnlyOffTheRecordExchangesCallsNoModelAndPassesThem(gate: [String]) throws {
        let setup = try Setup(normal: false)
        defer { setup.sandbox.remove() }
        let (_, delta) = try setup.propose(["--model", "echo", "--llm", try setup.fakeLLM()] + gate)
        #expect(!FileManager.default.fileExists(atPath: setup.called), "a model was called")
        #expect((delta["ops"] as? [Any])?.isEmpty == true)
        #expect(delta["sources"] as? [String] == setup.ids)
        #expect(delta["through"] as? String == setup.lastCursor)
    }

    /// With no memory model, each exchange goes to its own model and one call never mixes
    /// models; exchanges off the record go nowhere, so their model splits no batch.
    @Test func offTheRecordExchangesOfAnotherModelDoNotSplitTheBatch() throws {
        let setup = try Setup(offRecordModel: "facts")
        defer { setup.sandbox.remove() }
        #expect(setup.sandbox.environment["LLM_MEMORY_MODEL"] == nil)
        let (_, delta) = try setup.propose(["--llm", try setup.fakeLLM()])
        #expect(setup.file(setup.called) == "called\n")
        #expect(!setup.file(setup.sent).contains("dentist"))
        #expect(delta["sources"] as? [String] == setup.ids)
        #expect(delta["through"] as? String == setup.lastCursor)
    }

    @Test func theLocalExtractorLearnsOnlyFromTheNormalExchange() throws {
        let setup = try Setup()
        defer { setup.sandbox.remove() }
        let (_, delta) = try setup.propose(["--model", "local"])
        let texts = (delta["ops"] as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
        #expect(texts == ["Lives in Lisbon"])
        #expect(delta["sources"] as? [String] == setup.ids)
        #expect(delta["through"] as? String == setup.lastCursor)
    }
}
