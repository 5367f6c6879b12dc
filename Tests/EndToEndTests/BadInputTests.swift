import Foundation
import Testing
import TestKit

#if canImport(Glibc)
import Glibc
#endif

/// Bad inputs the tools meet on a real machine — a log database that is missing, empty,
/// garbage, cut short, locked, read-only or from a newer llm; a profile that is empty,
/// binary, huge, CRLF, with a BOM, without or with duplicate sections, a symlink; a memory
/// dir that is read-only or on a full disk — through the tools and `llm-memory update`.
/// Each ends with the right exit status, one clear line saying why, nothing lost, and the
/// previous profile intact. (The single-tool cases already in ExtractCommandTests and
/// MergeRenderCommandTests are not repeated.)
///
/// Read-only and full filesystems are real mounts (tmpfs, read-only bind mounts) made in a
/// private mount namespace (`unshare -m`), which needs root or CAP_SYS_ADMIN; without it
/// those tests are skipped and say so. As root, file modes do not stop writes (nor reads),
/// so "read-only" by chmod is tested only when not root.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct BadInputTests {
    static let sampleProfile = "# User profile\n\n## Personal Information\n\n- Name: Ada\n\n## Interests\n\n- Chess\n"
    static let addRole = GuardUser.delta(adding: "Role: Rust developer")

    /// A user with the sample profile applied, one more exchange waiting, the model ready
    /// to add the role. Memory was set up before the exchange — in the sandbox's
    /// `memory-elsewhere` (LLM_MEMORY_DIR) when `elsewhere`.
    func userWithOneExchangeWaiting(memoryElsewhere elsewhere: Bool = false) throws -> GuardUser {
        let user = try GuardUser()
        try user.setRules([["match": "", "reply": Self.addRole]])
        try user.setUpMemory(env: elsewhere ? ["LLM_MEMORY_DIR": user.path("memory-elsewhere")] : [:])
        try FileManager.default.createDirectory(atPath: user.dir, withIntermediateDirectories: true)
        try Data(Self.sampleProfile.utf8).write(to: URL(fileURLWithPath: user.profilePath))
        try user.logFirstExchange()
        return user
    }

    /// The last line of a failed porcelain run: `llm-memory: update stopped: …` (one line).
    func expectOneClearLine(_ result: RunResult, _ phrases: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = result.err.split(separator: "\n").map(String.init)
        let stops = lines.filter { $0.hasPrefix("llm-memory: ") }
        #expect(stops.count == 1, "one line from llm-memory:\n\(result.err)", sourceLocation: sourceLocation)
        for phrase in phrases {
            #expect(stops.first?.contains(phrase) == true, "\(phrase.debugDescription) in:\n\(result.err)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - logs.db

    @Test func noLogDatabaseYetIsNothingToDoAndStatusSaysSo() throws {
        let user = try GuardUser()
        defer { user.remove() }
        try user.setRules([["match": "", "reply": Self.addRole]])
        let update = try user.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(user.modelCalls() == 0)
        #expect(!FileManager.default.fileExists(atPath: user.profilePath))
        let status = try user.porcelain(["status"])
        #expect(status.status == 0)
        #expect(status.out.contains("waiting:        unknown (no log database yet?)"), "\(status.out)")
        #expect(status.out.contains("last update:    ") && status.out.contains(", ok"), "\(status.out)")
    }

    @Test func anEmptyLogDatabaseFileIsNothingToDo() throws {
        let user = try GuardUser()
        defer { user.remove() }
        try user.setRules([["match": "", "reply": Self.addRole]])
        _ = FileManager.default.createFile(atPath: user.sandbox.logsDB, contents: Data())
        let update = try user.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(update.err.contains("no llm log tables"))
        #expect(user.modelCalls() == 0)
        #expect(try user.porcelain(["status"]).out.contains("waiting:        0 exchange(s) not yet applied"))
    }

    /// Garbage and a database cut in half: exit 65, one line, profile and cursor as they were;
    /// once the database is good again, the waiting exchange is applied exactly once.
    @Test(arguments: ["random bytes", "truncated"])
    func aCorruptLogDatabaseStopsTheUpdateWith65AndChangesNothing(kind: String) throws {
        let user = try userWithOneExchangeWaiting()
        defer { user.remove() }
        let good = try Data(contentsOf: URL(fileURLWithPath: user.sandbox.logsDB))
        let bad: Data
        if kind == "random bytes" {
            var generator = SystemRandomNumberGenerator()
            bad = Data((0..<16384).map { _ in UInt8.random(in: 0...255, using: &generator) })
        } else {
            let fixture = try Data(contentsOf: URL(fileURLWithPath: Repo.fixture("modern-0.36.db")))
            bad = fixture.prefix(fixture.count / 2)
        }
        try bad.write(to: URL(fileURLWithPath: user.sandbox.logsDB))
        let profile = FileManager.default.contents(atPath: user.profilePath)
        let cursor = user.cursor()
        let update = try user.porcelain(["update"])
        #expect(update.status == 65, "\(update.err)")
        expectOneClearLine(update, ["update stopped: mem-extract failed (exit 65)"])
        #expect(FileManager.default.contents(atPath: user.profilePath) == profile)
        #expect(user.cursor() == cursor)
        #expect(user.modelCalls() == 0)
        let status = try user.porcelain(["status"])
        #expect(status.out.contains("last error:     mem-extract failed (exit 65)"), "\(status.out)")

        try good.write(to: URL(fileURLWithPath: user.sandbox.logsDB))
        #expect(try user.porcelain(["update"]).status == 0)
        #expect(user.read(user.profilePath)?.components(separatedBy: "- Role: Rust developer").count == 2)
    }

    /// llm holding its write lock longer than mem-extract's busy timeout (3 s): a temporary
    /// failure (75) that leaves everything as it was; the next update applies the exchange.
    @Test func aLogDatabaseLockedPastTheBusyTimeoutIsATemporaryFailure() throws {
        let user = try userWithOneExchangeWaiting()
        defer { user.remove() }
        let profile = FileManager.default.contents(atPath: user.profilePath)
        let cursor = user.cursor()
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: user.python)
        locker.arguments = ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            sys.stdin.read()
            """, user.sandbox.logsDB]
        let toLocker = Pipe(), fromLocker = Pipe()
        locker.standardInput = toLocker
        locker.standardOutput = fromLocker
        try locker.run()
        var unlocked = false
        func unlock() {
            guard !unlocked else { return }
            unlocked = true
            try? toLocker.fileHandleForWriting.close()
            locker.waitUntilExit()
        }
        defer { unlock() }
        #expect(String(decoding: fromLocker.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("locked"))

        let update = try user.porcelain(["update"])
        #expect(update.status == 75, "\(update.err)")
        expectOneClearLine(update, ["mem-extract failed (exit 75)", "locked"])
        #expect(FileManager.default.contents(atPath: user.profilePath) == profile)
        #expect(user.cursor() == cursor)
        #expect(user.modelCalls() == 0)
        unlock()
        #expect(try user.porcelain(["update"]).status == 0)
        #expect(user.read(user.profilePath)?.contains("- Role: Rust developer") == true)
        #expect(user.cursor() == user.newestCursor())
    }

    /// A log database in a directory nobody may write to (0555, file 0444) is read all the
    /// same: mem-extract needs no journal or lock file of its own. (As root the modes do not
    /// bind; the read-only mount below is the real test of that.)
    @Test func aReadOnlyLogDatabaseFileInAReadOnlyDirectoryIsReadAsUsual() throws {
        // The memory dir lives elsewhere: llm's user dir cannot take it.
        let user = try userWithOneExchangeWaiting(memoryElsewhere: true)
        defer { user.remove() }
        let memory = user.path("memory-elsewhere")
        let expected = try run(Repo.tool("mem-extract"), [], environment: user.environment)
        #expect(chmod(user.sandbox.logsDB, 0o444) == 0)
        #expect(chmod(user.sandbox.llmUserPath, 0o555) == 0)
        defer { _ = chmod(user.sandbox.llmUserPath, 0o755) }
        let extracted = try run(Repo.tool("mem-extract"), [], environment: user.environment)
        #expect(extracted.status == 0, "\(extracted.err)")
        #expect(extracted.stdout == expected.stdout)
        let update = try user.porcelain(["update"], env: ["LLM_MEMORY_DIR": memory])
        #expect(update.status == 0, "\(update.err)")
        #expect(user.read(memory + "/profile.md")?.contains("- Role: Rust developer") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: user.sandbox.logsDB)).count > 0)
    }

    @Test(.enabled(if: Mounts.available, Mounts.reason))
    func aLogDatabaseOnAReadOnlyMountIsReadAsUsual() throws {
        let user = try userWithOneExchangeWaiting(memoryElsewhere: true)
        defer { user.remove() }
        let expected = try run(Repo.tool("mem-extract"), [], environment: user.environment)
        #expect(expected.status == 0 && !expected.stdout.isEmpty)
        let memory = user.path("memory-elsewhere")
        let out = user.path("extract-ro.out")
        var env = user.environment
        env["LLM_MEMORY_DIR"] = memory
        let result = try Mounts.inNamespace("""
            mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 90
            touch "$1/probe" 2>/dev/null && exit 91
            mem-extract >"$2" || exit $?
            exec llm-memory update
            """, [user.sandbox.llmUserPath, out], environment: env)
        #expect(result.status == 0, "\(result.err)")
        #expect(FileManager.default.contents(atPath: out) == expected.stdout)
        #expect(user.read(memory + "/profile.md")?.contains("- Role: Rust developer") == true)
    }

    /// A log database from a future llm — extra columns in every table mem-extract reads,
    /// extra tables, indexes and a view — reads exactly as before. Made on copies.
    @Test(arguments: ["modern-0.36.db", "legacy-0.31.1.db", "mixed.db"])
    func aLogDatabaseFromAFutureLlmWithExtraTablesAndColumnsReadsAsBefore(fixture: String) throws {
        let user = try GuardUser()
        defer { user.remove() }
        let copy = user.path("future-" + fixture)
        try FileManager.default.copyItem(atPath: Repo.fixture(fixture), toPath: copy)
        let before = try run(Repo.tool("mem-extract"), ["--db", copy], environment: user.environment)
        #expect(before.status == 0 && !before.stdout.isEmpty)
        let alter = try run(user.python, ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            tables = [r[0] for r in c.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")]
            for t in tables:
                if t.endswith("_fts") or "_fts_" in t or t.startswith("turn_search"):
                    continue
                c.execute(f'alter table "{t}" add column future_{len(t)} text default \\'from the future\\'')
                c.execute(f'alter table "{t}" add column future_blob blob')
            c.execute("create table future_things (id text primary key, turn_id text, payload json)")
            c.execute("insert into future_things values ('f1', 'x', '{}')")
            c.execute("create index future_index on future_things (turn_id)")
            c.execute("create view future_view as select * from future_things")
            c.commit()
            print(len(tables))
            """, copy], environment: user.environment)
        #expect(alter.status == 0, "\(alter.err)")
        #expect((Int(alter.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) != Data(contentsOf: URL(fileURLWithPath: Repo.fixture(fixture))))
        let after = try run(Repo.tool("mem-extract"), ["--db", copy], environment: user.environment)
        #expect(after.status == 0, "\(after.err)")
        #expect(after.stdout == before.stdout)
        #expect(after.err == before.err)
        let count = try run(Repo.tool("mem-extract"), ["--db", copy, "--count"], environment: user.environment)
        #expect(count.out.trimmingCharacters(in: .whitespacesAndNewlines) == String(before.out.split(separator: "\n").count))
    }

    // MARK: - profile.md

    struct ProfileCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: Data
        /// nil: the update applies the op; else the exit status it stops with.
        var failure: Int32?
        var testDescription: String { name }
    }

    static let profileCases: [ProfileCase] = [
        ProfileCase(name: "empty", bytes: Data(), failure: nil),
        ProfileCase(name: "binary", bytes: Data([0x23, 0x20, 0x00, 0xFF, 0xFE, 0x0A, 0x89, 0x50, 0x4E, 0x47]), failure: 65),
        ProfileCase(name: "not UTF-8", bytes: Data("## Interests\n- Caf".utf8) + Data([0xE9, 0x0A]), failure: 65),
        ProfileCase(name: "10 MB", bytes: Data(String(repeating: "- Fact about the user, one of many\n", count: 10 * 1024 * 1024 / 34).utf8),
                    failure: 65),
        ProfileCase(name: "CRLF", bytes: Data(sampleProfile.replacingOccurrences(of: "\n", with: "\r\n").utf8), failure: nil),
        ProfileCase(name: "BOM", bytes: Data([0xEF, 0xBB, 0xBF]) + Data(sampleProfile.utf8), failure: nil),
        ProfileCase(name: "no sections", bytes: Data("Just some notes about me, no headings.\nSecond line\n".utf8), failure: nil),
        ProfileCase(name: "duplicate sections", bytes: Data(
            "## Personal Information\n- Name: Ada\n\n## Interests\n- Chess\n\n## Personal Information\n- Lives in Lisbon\n".utf8),
            failure: nil),
        ProfileCase(name: "no final newline", bytes: Data("## Personal Information\n- Name: Ada".utf8), failure: nil),
    ]

    /// Through `llm-memory update` (extract, propose, merge, render), then mem-render and
    /// show: a profile the tools can read gets exactly the new bullet and keeps every other
    /// byte; one they cannot read stops the update with 65 before any model call, the
    /// profile byte for byte as it was, the cursor not moved.
    @Test(arguments: profileCases)
    func eachKindOfProfileIsUpdatedInPlaceOrLeftExactlyAsItWas(_ profile: ProfileCase) throws {
        let user = try GuardUser()
        defer { user.remove() }
        try user.setRules([["match": "", "reply": Self.addRole]])
        let origin = try user.setUpMemory()
        try profile.bytes.write(to: URL(fileURLWithPath: user.profilePath))
        try user.logFirstExchange()

        let update = try user.porcelain(["update"])
        let after = FileManager.default.contents(atPath: user.profilePath) ?? Data()
        let render = try run(Repo.tool("mem-render"), ["--profile", user.profilePath], environment: user.environment)
        let show = try user.porcelain(["show"])
        #expect(show.status == 0)
        #expect(show.stdout == after, "show prints the profile byte for byte")
        if let failure = profile.failure {
            #expect(update.status == failure, "\(update.err)")
            expectOneClearLine(update, ["update stopped: mem-propose failed (exit \(failure))"])
            #expect(after == profile.bytes, "the profile is byte for byte as it was")
            #expect(user.cursor() == origin, "the cursor did not move")
            #expect(user.modelCalls() == 0, "no model call was spent on a profile that cannot be merged")
            #expect(render.status == 65)
            #expect(render.err.split(separator: "\n").count == 1)
            #expect(try user.porcelain(["status"]).out.contains("last error:     mem-propose failed (exit 65)"))
            return
        }
        #expect(update.status == 0, "\(update.err)")
        #expect(render.status == 0, "\(render.err)")
        #expect(render.out.contains("- Role: Rust developer"))
        let text = String(decoding: after, as: UTF8.self)
        #expect(text.components(separatedBy: "Role: Rust developer").count == 2, "added once:\n\(text)")
        // Every byte of the old profile is still there, in order, with the bullet inserted.
        let old = [UInt8](profile.bytes), new = [UInt8](after)
        var i = 0
        for byte in new where i < old.count && byte == old[i] { i += 1 }
        #expect(i == old.count, "the old profile is a subsequence of the new one:\n\(text)")
        #expect(new.count - old.count < 64)
        switch profile.name {
        case "CRLF":
            #expect(text.contains("- Role: Rust developer\r\n"))
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        case "BOM":
            #expect(after.starts(with: [0xEF, 0xBB, 0xBF]) && !after.dropFirst(3).starts(with: [0xEF, 0xBB, 0xBF]))
        case "duplicate sections":
            #expect(text.hasPrefix("## Personal Information\n- Name: Ada\n- Role: Rust developer\n"), "\(text)")
            #expect(text.hasSuffix("## Personal Information\n- Lives in Lisbon\n"))
        case "no final newline":
            #expect(!text.hasSuffix("\n"))
        default:
            break
        }
        // The replaced version is in the history, byte for byte.
        let history = try FileManager.default.contentsOfDirectory(atPath: user.memory.historyDir).filter { $0.hasPrefix("profile-") }
        #expect(history.count == 1)
        #expect(history.first.flatMap { FileManager.default.contents(atPath: user.dir + "/history/" + $0) } == profile.bytes)
        #expect(user.cursor() == user.newestCursor())
    }

    /// profile.md a symlink to a file elsewhere (a dotfiles repo): the target is updated,
    /// the link stays a link, history and cursor stay in the memory dir.
    @Test func aSymlinkedProfileUpdatesItsTargetAndStaysALink() throws {
        let user = try GuardUser()
        defer { user.remove() }
        try user.setRules([["match": "", "reply": Self.addRole]])
        try user.setUpMemory()
        let elsewhere = user.path("dotfiles/llm")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: user.dir, withIntermediateDirectories: true)
        let target = elsewhere + "/me.md"
        try Data(Self.sampleProfile.utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: user.profilePath, withDestinationPath: "../../dotfiles/llm/me.md")
        try user.logFirstExchange()

        let update = try user.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: user.profilePath) == "../../dotfiles/llm/me.md")
        let text = user.read(target) ?? ""
        #expect(text.contains("- Name: Ada\n- Role: Rust developer\n"), "\(text)")
        #expect(GuardUser.mode(target) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere) == ["me.md"], "no temp or history files beside the target")
        let history = try FileManager.default.contentsOfDirectory(atPath: user.memory.historyDir).filter { $0.hasPrefix("profile-") }
        #expect(history.count == 1)
        #expect(user.cursor() == user.newestCursor())
        #expect(try user.porcelain(["show"]).out == text)
        #expect(user.read(user.memory.fragment)?.contains("Role: Rust developer") == true)
    }

    // MARK: - The memory dir

    /// As a non-root user, a memory dir made read-only with chmod 0500.
    @Test(.enabled(if: getuid() != 0, "as root chmod 0500 does not stop writes (CAP_DAC_OVERRIDE); the read-only mount test covers it"))
    func aMemoryDirMadeReadOnlyByChmodStopsTheUpdateAndKeepsTheProfile() throws {
        let user = try userWithOneExchangeWaiting()
        defer { user.remove() }
        let profile = FileManager.default.contents(atPath: user.profilePath)
        #expect(chmod(user.dir, 0o500) == 0)
        defer { _ = chmod(user.dir, 0o700) }
        let update = try user.porcelain(["update"])
        #expect(update.status == 73, "\(update.err)")
        expectOneClearLine(update, ["cannot"])
        #expect(FileManager.default.contents(atPath: user.profilePath) == profile)
    }

    /// A memory dir on a read-only mount: the update stops with one line (73), changes
    /// nothing, and `show`/`status` still work. mem-merge alone says it cannot write (73).
    @Test(.enabled(if: Mounts.available, Mounts.reason))
    func aMemoryDirOnAReadOnlyMountStopsTheUpdateAndKeepsTheProfile() throws {
        let user = try userWithOneExchangeWaiting()
        defer { user.remove() }
        #expect(try user.porcelain(["render"]).status == 0)
        let before = snapshot(user.dir)
        let outputs = user.path("ro-outputs")
        try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
        let result = try Mounts.inNamespace("""
            mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 90
            touch "$1/probe" 2>/dev/null && exit 91
            llm-memory update >"$2/update.out" 2>"$2/update.err"; echo $? >"$2/update.status"
            printf '%s' '{"ops":[{"op":"add","section":"Interests","text":"Go"}],"through":"r0.t9"}' |
              mem-merge --in-place >"$2/merge.out" 2>"$2/merge.err"; echo $? >"$2/merge.status"
            llm-memory show >"$2/show.out" 2>"$2/show.err" || exit 92
            llm-memory status >"$2/status.out" 2>&1 || exit 93
            """, [user.dir, outputs], environment: user.environment)
        #expect(result.status == 0, "\(result.err)")
        func out(_ name: String) -> String { user.read(outputs + "/" + name) ?? "" }
        let updateStatus = Int32(out("update.status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(updateStatus == 73, "update: \(out("update.err"))")
        expectOneClearLine(RunResult(status: updateStatus, stdout: Data(), stderr: Data(out("update.err").utf8)),
                           ["Read-only file system"])
        #expect(out("merge.status").trimmingCharacters(in: .whitespacesAndNewlines) == "73", "mem-merge: \(out("merge.err"))")
        #expect(out("merge.err").split(separator: "\n").count == 1, "\(out("merge.err"))")
        #expect(out("merge.err").contains("Read-only file system"))
        #expect(out("show.out") == Self.sampleProfile)
        #expect(out("status.out").contains("waiting:        1 exchange(s)"), "\(out("status.out"))")
        #expect(snapshot(user.dir) == before, "nothing in the memory dir changed")
        #expect(user.modelCalls() == 0)
        // Writable again: the exchange is applied, once.
        #expect(try user.porcelain(["update"]).status == 0)
        #expect(user.read(user.profilePath)?.components(separatedBy: "- Role: Rust developer").count == 2)
    }

    /// The memory dir on a full disk (a 64 KiB tmpfs, filled up): the update stops with one
    /// line (74), the previous profile intact and the cursor not moved; with space again,
    /// the next update applies the exchange exactly once. mem-merge alone: 74, one line.
    @Test(.enabled(if: Mounts.available, Mounts.reason))
    func aFullDiskStopsTheUpdateWithTheProfileIntactAndTheNextUpdateAppliesItOnce() throws {
        let user = try userWithOneExchangeWaiting()
        defer { user.remove() }
        // A first, successful update, so there is a cursor and a history to keep intact.
        try user.setRules([["match": "", "reply": GuardUser.delta(adding: "Likes tea", section: "Interests")]])
        #expect(try user.porcelain(["update"]).status == 0)
        #expect(try user.logPrompt("Remember that I am a Rust developer").status == 0)
        try user.setRules([["match": "", "reply": Self.addRole]])
        let profile = user.read(user.profilePath)
        let cursor = user.cursor()
        let outputs = user.path("full-outputs")
        try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
        let saved = user.path("saved-memory")
        let result = try Mounts.inNamespace("""
            dir=$1 out=$2 saved=$3
            cp -a "$dir" "$saved" || exit 90
            mount -t tmpfs -o size=64k,mode=0700 tmpfs "$dir" || exit 91
            cp -a "$saved"/. "$dir"/ || exit 92
            dd if=/dev/zero of="$dir/filler" bs=1k 2>/dev/null
            echo x >"$dir/probe" 2>/dev/null && [ -s "$dir/probe" ] && exit 93
            rm -f "$dir/probe"
            llm-memory update >"$out/update.out" 2>"$out/update.err"; echo $? >"$out/update.status"
            printf '%s' '{"ops":[{"op":"add","section":"Interests","text":"Go"}],"through":"r0.t9"}' |
              mem-merge --in-place >"$out/merge.out" 2>"$out/merge.err"; echo $? >"$out/merge.status"
            cp "$dir/profile.md" "$out/profile-while-full.md"
            cp "$dir/cursor" "$out/cursor-while-full"
            rm -f "$dir/filler"
            llm-memory update >"$out/again.out" 2>"$out/again.err"; echo $? >"$out/again.status"
            cp "$dir/profile.md" "$out/profile-after.md"
            cp "$dir/cursor" "$out/cursor-after"
            ls -a "$dir" "$dir/history" >"$out/listing"
            """, [user.dir, outputs, saved], environment: user.environment)
        #expect(result.status == 0, "\(result.err)")
        func out(_ name: String) -> String { user.read(outputs + "/" + name) ?? "" }
        let updateStatus = Int32(out("update.status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(updateStatus == 74, "update: \(out("update.err"))")
        expectOneClearLine(RunResult(status: updateStatus, stdout: Data(), stderr: Data(out("update.err").utf8)),
                           ["No space left on device"])
        #expect(out("merge.status").trimmingCharacters(in: .whitespacesAndNewlines) == "74", "mem-merge: \(out("merge.err"))")
        #expect(out("merge.err").split(separator: "\n").count == 1, "\(out("merge.err"))")
        #expect(out("merge.err").contains("No space left on device"))
        #expect(out("profile-while-full.md") == profile, "the previous profile is intact")
        #expect(out("cursor-while-full").trimmingCharacters(in: .whitespacesAndNewlines) == cursor, "the cursor did not move")
        #expect(out("again.status").trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(out("again.err"))")
        #expect(out("profile-after.md").components(separatedBy: "- Role: Rust developer").count == 2, "\(out("profile-after.md"))")
        #expect(out("cursor-after").trimmingCharacters(in: .whitespacesAndNewlines) == user.newestCursor())
        #expect(!out("listing").contains(".tmp"), "no temp file left: \(out("listing"))")
    }

    /// Path → file bytes (nil for a directory) of everything under `dir`.
    func snapshot(_ dir: String) -> [String: Data?] {
        var files: [String: Data?] = [:]
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return files }
        while let relative = walker.nextObject() as? String {
            files[relative] = FileManager.default.contents(atPath: dir + "/" + relative)
        }
        return files
    }
}

/// Real mounts in a private mount namespace (`unshare -m`): they vanish with it, so nothing
/// outside the test ever sees them.
enum Mounts {
    static let available: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mount-probe-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let probe = try? run("/usr/bin/unshare", ["-m", "/bin/sh", "-c", #"mount -t tmpfs -o size=64k tmpfs "$1" && mount --bind "$1" "$1" && mount -o remount,bind,ro "$1""#,
                                                  "sh", dir], environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        return probe?.status == 0
    }()

    static let reason: Comment = "needs a private mount namespace with mount rights (unshare -m as root); not available here"

    /// Runs `script` (sh, with `args` as $1…) in a new mount namespace.
    static func inNamespace(_ script: String, _ args: [String], environment: [String: String]) throws -> RunResult {
        var env = environment
        env["PATH"] = (env["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        return try run("/usr/bin/unshare", ["-m", "/bin/sh", "-c", "set -u\n" + script, "sh"] + args, environment: env)
    }
}
