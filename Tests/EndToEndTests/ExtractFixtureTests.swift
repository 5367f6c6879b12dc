import Foundation
import Testing

/// mem-extract on log databases the real llm 0.31.1 and 0.36 wrote (Tests/Fixtures,
/// made by make-fixtures.sh), compared with what the script typed and with what
/// `llm logs --json` reports on the same database.
@Suite struct ExtractFixtureTests {
    static let databases = ["legacy-0.31.1.db", "modern-0.36.db", "upgraded.db", "mixed.db"]

    struct Record {
        var json: [String: Any]
        var id: String { json["id"] as? String ?? "" }
        func string(_ key: String) -> String? { json[key] as? String }
        var fragments: [[String: String]] {
            (json["fragments"] as? [[String: Any]] ?? []).map {
                ["kind": $0["kind"] as? String ?? "", "source": $0["source"] as? String ?? ""]
            }
        }
    }

    static func manifest(_ db: String) throws -> [Record] {
        let text = try String(contentsOfFile: Repo.fixture("manifest.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").compactMap {
            let json = try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            return json["db"] as? String == db ? Record(json: json) : nil
        }
    }

    static func extract(_ db: String, _ extra: [String] = []) throws -> [Record] {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let result = try run(Repo.tool("mem-extract"), ["--db", Repo.fixture(db)] + extra, environment: sandbox.environment)
        #expect(result.status == 0, "\(result.err)")
        return try result.out.split(separator: "\n").map {
            Record(json: try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]))
        }
    }

    @Test(arguments: databases)
    func everyExchangeIsReadOnceInOrderWithWhatTheUserTyped(db: String) throws {
        let expected = try Self.manifest(db)
        let actual = try Self.extract(db)
        #expect(!expected.isEmpty)
        #expect(actual.map(\.id) == expected.map(\.id))
        for (a, e) in zip(actual, expected) {
            let label = "\(db) \(e.string("case") ?? "")"
            #expect(a.string("prompt") == e.string("prompt"), "prompt of \(label)")
            #expect((a.json["prompt"] is NSNull) == (e.json["prompt"] is NSNull), "null prompt of \(label)")
            #expect(a.string("system") == e.string("system"), "system of \(label)")
            #expect(a.fragments == e.fragments, "fragments of \(label)")
            #expect(a.string("model") == e.string("model"), "model of \(label)")
            #expect(a.string("datetime") == e.string("datetime"), "datetime of \(label)")
        }
    }

    @Test(arguments: databases)
    func idsConversationsAndResponsesMatchLLMLogs(db: String) throws {
        try #require(Repo.llmAvailable, "needs the pinned llm venvs (make test-env)")
        // On a copy, with the llm that wrote it (0.36 would migrate a 0.31 database).
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.copyItem(atPath: Repo.fixture(db), toPath: sandbox.logsDB)
        let llm = db.hasPrefix("legacy") ? Repo.llmLegacy : Repo.llm
        let logs = try run(llm, ["logs", "--json", "-n", "0"], environment: sandbox.environment)
        #expect(logs.status == 0, "\(logs.err)")
        let entries = try #require(JSONSerialization.jsonObject(with: logs.stdout) as? [[String: Any]])
        let actual = try Self.extract(db)
        #expect(Set(actual.map(\.id)) == Set(entries.compactMap { $0["id"] as? String }))
        let byID = Dictionary(uniqueKeysWithValues: entries.map { ($0["id"] as? String ?? "", $0) })
        for record in actual {
            let entry = try #require(byID[record.id])
            #expect(record.string("conversation") == entry["conversation_id"] as? String, "conversation of \(record.id)")
            #expect(record.string("response") == entry["response"] as? String, "response of \(record.id)")
        }
    }

    @Test(arguments: databases)
    func resumingAfterAnyCursorGivesExactlyTheRest(db: String) throws {
        let all = try Self.extract(db)
        for (i, record) in all.enumerated() {
            let cursor = try #require(record.string("cursor"))
            let rest = try Self.extract(db, ["--after", cursor])
            #expect(rest.map(\.id) == all.dropFirst(i + 1).map(\.id), "after \(cursor)")
        }
    }

    @Test func limitBoundsABatchAndItsCursorResumesTheNext() throws {
        let db = "mixed.db"
        let all = try Self.extract(db)
        var seen: [String] = []
        var cursor = ""
        while true {
            let batch = try Self.extract(db, ["--after", cursor, "--limit", "4"])
            #expect(batch.count <= 4)
            guard let last = batch.last else { break }
            seen += batch.map(\.id)
            cursor = try #require(last.string("cursor"))
        }
        #expect(seen == all.map(\.id))
    }

    @Test func theMemoryFragmentIsNeverTheUsersWords() throws {
        for db in Self.databases {
            for record in try Self.extract(db) {
                for key in ["prompt", "system"] {
                    #expect(!(record.string(key) ?? "").contains("llm-user-memory:fragment"), "\(key) of \(record.id) in \(db)")
                }
            }
        }
    }
}
