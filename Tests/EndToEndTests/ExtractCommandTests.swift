import Foundation
import Testing

/// mem-extract against databases the real llm wrote, and against broken ones.
@Suite struct ExtractCommandTests {
    private func extract(_ arguments: [String], in sandbox: Sandbox) throws -> RunResult {
        try run(Repo.tool("mem-extract"), arguments, environment: sandbox.environment)
    }

    private func records(_ result: RunResult) throws -> [[String: Any]] {
        try result.out.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func aMissingDatabaseExits66WithOneLine() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let result = try extract(["--db", sandbox.root.appendingPathComponent("nope.db").path], in: sandbox)
        #expect(result.status == 66)
        #expect(result.out.isEmpty)
        #expect(result.err.split(separator: "\n").count == 1)
        #expect(result.err.hasPrefix("mem-extract: "))
    }

    @Test func randomBytesExit65() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.root.appendingPathComponent("garbage.db").path
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try extract(["--db", path], in: sandbox)
        #expect(result.status == 65)
        #expect(result.err.contains("not an SQLite database"))
        #expect(result.err.split(separator: "\n").count == 1)
    }

    @Test func aTruncatedDatabaseExits65AndSaysItIsCorrupt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let original = try Data(contentsOf: URL(fileURLWithPath: Repo.fixture("modern-0.36.db")))
        let path = sandbox.root.appendingPathComponent("truncated.db").path
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: path))
        let result = try extract(["--db", path], in: sandbox)
        #expect(result.status == 65)
        #expect(result.err.split(separator: "\n").count == 1)
    }

    /// `--limit N` prints the oldest N after the cursor, `--last N` the newest N (still
    /// oldest first) — on every kind of database llm writes, from the start and from a
    /// cursor; `--count` counts what each would print.
    @Test(arguments: ["modern-0.36.db", "legacy-0.31.1.db", "mixed.db", "upgraded.db"])
    func lastPrintsTheNewestExchangesOldestFirstAndLimitTheOldest(fixture: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let db = Repo.fixture(fixture)
        let all = try extract(["--db", db], in: sandbox).out.split(separator: "\n").map(String.init)
        #expect(all.count > 6, "\(fixture)")
        let cursor = try #require(try records(try extract(["--db", db, "--limit", "2"], in: sandbox)).last?["cursor"] as? String)
        for (after, expected) in [("", all), (cursor, Array(all.dropFirst(2)))] {
            let total = try #require(Int(try extract(["--db", db, "--after", after, "--count"], in: sandbox).out.trimmingCharacters(in: .whitespacesAndNewlines)))
            for n in [0, 1, 3, expected.count, expected.count + 5] {
                let last = try extract(["--db", db, "--after", after, "--last", "\(n)"], in: sandbox)
                #expect(last.status == 0, "\(last.err)")
                #expect(last.out.split(separator: "\n").map(String.init) == Array(expected.suffix(n)), "\(fixture) after '\(after)', last \(n)")
                let limit = try extract(["--db", db, "--after", after, "--limit", "\(n)"], in: sandbox)
                #expect(limit.out.split(separator: "\n").map(String.init) == Array(expected.prefix(n)), "\(fixture) after '\(after)', limit \(n)")
                let count = try extract(["--db", db, "--after", after, "--last", "\(n)", "--count"], in: sandbox)
                #expect(count.out == "\(min(n, total))\n", "\(fixture): \(count.out)")
            }
        }
        let both = try extract(["--db", db, "--last", "1", "--limit", "1"], in: sandbox)
        #expect(both.status == 64, "\(both.err)")
    }

    @Test func anEmptyFileHasNoExchangesAndSaysSo() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.root.appendingPathComponent("empty.db").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let result = try extract(["--db", path], in: sandbox)
        #expect(result.status == 0)
        #expect(result.out.isEmpty)
        #expect(result.err.contains("no llm log tables"))
    }

    @Test func aBadCursorIsAUsageError() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let result = try extract(["--db", Repo.fixture("modern-0.36.db"), "--after", "yesterday"], in: sandbox)
        #expect(result.status == 64)
        #expect(result.err.contains("'yesterday' is invalid for '--after <cursor>'"), "\(result.err)")
    }

    @Test func theDefaultDatabaseIsTheOneInLLMUserPath() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.copyItem(atPath: Repo.fixture("modern-0.36.db"), toPath: sandbox.logsDB)
        let viaDefault = try extract([], in: sandbox)
        let viaPath = try extract(["--db", Repo.fixture("modern-0.36.db")], in: sandbox)
        #expect(viaDefault.status == 0)
        #expect(!viaDefault.out.isEmpty)
        #expect(viaDefault.out == viaPath.out)
    }

    @Test(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
    func aDatabaseLockedLongerThanTheBusyTimeoutExits75() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.copyItem(atPath: Repo.fixture("modern-0.36.db"), toPath: sandbox.logsDB)
        // A writer holding llm's write lock, as a long llm transaction would.
        let python = URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().appendingPathComponent("python").path
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: python)
        locker.arguments = ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            sys.stdin.read()
            """, sandbox.logsDB]
        let toLocker = Pipe()
        let fromLocker = Pipe()
        locker.standardInput = toLocker
        locker.standardOutput = fromLocker
        try locker.run()
        defer {
            try? toLocker.fileHandleForWriting.close()
            locker.waitUntilExit()
        }
        let line = fromLocker.fileHandleForReading.availableData
        #expect(String(decoding: line, as: UTF8.self).hasPrefix("locked"))
        let result = try extract(["--busy-timeout", "200"], in: sandbox)
        #expect(result.status == 75)
        #expect(result.err.contains("locked"))
        #expect(result.err.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
    func llmWritingWhileMemExtractReadsLosesNoLogEntry() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let python = URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().appendingPathComponent("python").path
        let count = 300
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: python)
        writer.arguments = [Repo.root.appendingPathComponent("Tests/Support/write_exchanges.py").path,
                            sandbox.logsDB, String(count)]
        writer.environment = sandbox.environment
        let ids = Pipe()
        let errors = Pipe()
        writer.standardOutput = ids
        writer.standardError = errors
        try writer.run()
        // Read the whole log over and over, resuming from the cursor, while llm writes.
        var seen: [String] = []
        var cursor = ""
        var reads = 0
        while writer.isRunning || reads == 0 {
            let result = try extract(["--after", cursor], in: sandbox)
            reads += 1
            if result.status == 66 { continue }
            #expect(result.status == 0, "mem-extract failed: \(result.err)")
            for record in try records(result) {
                seen.append(try #require(record["id"] as? String))
                cursor = try #require(record["cursor"] as? String)
            }
        }
        writer.waitUntilExit()
        let written = String(decoding: ids.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        let writerErrors = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(writer.terminationStatus == 0, "llm failed to log: \(writerErrors)")
        #expect(written.count == count)
        // A last read picks up whatever was committed after the final loop read.
        let last = try extract(["--after", cursor], in: sandbox)
        for record in try records(last) { seen.append(try #require(record["id"] as? String)) }
        #expect(reads > 1)
        #expect(seen == written)
    }
}
