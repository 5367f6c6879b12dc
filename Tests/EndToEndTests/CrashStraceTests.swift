import Foundation
import Testing
import TestKit
@testable import MemKit
#if canImport(Glibc)
import Glibc
#endif

extension CrashTests {
    // MARK: - mem-merge killed before each of its file-system calls (strace)

    static var strace: String? {
        ["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Every crash point of the real binary, not only the ones a random delay happens to
    /// hit: strace runs `mem-merge` once to list its file-system calls after it first
    /// touches the memory dir, then once per call with `-e inject=CALL:signal=KILL:when=N`,
    /// which kills it on entry to exactly that call. After each kill the profile is the old
    /// or the new version, complete; `mem-merge --recover` then leaves the commit done once
    /// (one journal line, the cursor moved) or not at all (nothing of it), and no temp file;
    /// a commit not done goes through when run again. "recover" kills the recovery itself,
    /// of a merge interrupted after its profile write.
    @Test(.enabled(if: CrashTests.strace != nil, "needs strace (.ci/run installs it)"),
          arguments: ["merge", "load", "clear", "recover"])
    func killingMemMergeJustBeforeAnyOfItsFileSystemCallsLeavesACommitDoneOnceOrNotAtAll(operation: String) async throws {
        let strace = try #require(CrashTests.strace)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crash-strace-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let template = root + "/template"
        // The state before: a profile with three facts, one earlier version, two journal lines.
        let recorder = ChangeRecorder(profilePath: template + "/profile.md")
        let store = recorder.store
        try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0001")], sources: ["ex1"], through: "r0.t1"))
        try recorder.mergeInPlace(Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0002"),
                                           DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0003")],
                                     sources: ["ex2", "ex3"], through: "r0.t3"))
        let delta = Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0004"),
                                DeltaOp(kind: .add, section: "Interests", text: "Likes fact-0005")],
                          sources: ["ex4", "ex5"], through: "r0.t5", model: "facts")
        if operation == "recover" {
            var interrupted = recorder
            interrupted.store.stopAfter = .profileWritten
            #expect(throws: MemError.self) { try interrupted.mergeInPlace(delta) }
        }
        try Data(delta.json.serialized().utf8).write(to: URL(fileURLWithPath: root + "/delta.json"))
        try Data("# Loaded\n\n## Interests\n\n- Likes fact-0009\n".utf8).write(to: URL(fileURLWithPath: root + "/load.md"))
        func arguments(_ dir: String) -> [String] {
            switch operation {
            case "merge": return ["--profile", MemoryDirLayout(dir).profile, "--in-place", root + "/delta.json"]
            case "load": return ["--profile", MemoryDirLayout(dir).profile, "--in-place", "--load", root + "/load.md"]
            case "clear": return ["--profile", MemoryDirLayout(dir).profile, "--in-place", "--clear"]
            default: return ["--profile", MemoryDirLayout(dir).profile, "--recover"]
            }
        }
        let memMerge = Repo.tool("mem-merge")
        let calls = "openat,write,fsync,fdatasync,rename,renameat,renameat2,link,linkat,unlink,unlinkat,truncate,ftruncate,mkdir,fchmod,chmod"
        func copy(_ name: String) throws -> String {
            let dir = root + "/" + name
            try FileManager.default.copyItem(atPath: template, toPath: dir)
            return dir
        }
        func state(_ dir: String) -> (profile: String?, journal: [String], cursor: String?, pending: Bool) {
            let read = { (path: String) in FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } }
            return (read(MemoryDirLayout(dir).profile), (read(MemoryDirLayout(dir).journal) ?? "").split(separator: "\n").map(String.init),
                    read(MemoryDirLayout(dir).cursor), FileManager.default.fileExists(atPath: MemoryDirLayout(dir).pending))
        }
        func run(_ program: String, _ args: [String], dir: String) async throws -> Int32 {
            let pid = try spawnInGroup(program, args, env: ["PATH": "/usr/bin:/bin", "LLM_MEMORY_DIR": dir],
                                       stdout: "/dev/null", stderr: root + "/stderr", cwd: root)
            return await reap(pid, timeout: 60).map { exitCode($0) } ?? -1
        }

        let before = state(template)
        let templateHistory = Set(store.historyVersions().compactMap {
            FileManager.default.contents(atPath: store.historyDirectory + "/" + $0).map { String(decoding: $0, as: UTF8.self) }
        })
        // The outcome of an uninterrupted run, and the calls it makes.
        let clean = try copy("clean")
        let trace = root + "/trace"
        #expect(try await run(strace, ["-f", "-qq", "-o", trace, "-e", "trace=\(calls)", memMerge] + arguments(clean), dir: clean) == 0)
        let after = state(clean)
        var points: [(call: String, n: Int)] = []
        var seen: [String: Int] = [:]
        var inMemoryDir = false
        for line in ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, let paren = fields[1].firstIndex(of: "(") else { continue }
            let call = fields[1][..<paren].trimmingCharacters(in: .whitespaces)  // "8208  openat(": strace pads short pids
            seen[call, default: 0] += 1
            if line.contains(clean) { inMemoryDir = true }
            if inMemoryDir { points.append((call, seen[call]!)) }
        }
        #expect(points.count >= 10, "too few calls traced: \(points)")

        var kills = 0
        var completed = 0
        for (index, point) in points.enumerated() {
            let dir = try copy("point-\(index)")
            let context = "\(operation), killed on entering \(point.call) #\(point.n)"
            let status = try await run(strace, ["-f", "-qq", "-o", "/dev/null", "-e", "trace=\(point.call)",
                                                "-e", "inject=\(point.call):signal=KILL:when=\(point.n)", memMerge] + arguments(dir), dir: dir)
            guard status == 137 else {
                #expect(status == 0, "\(context): exit \(status)")
                continue
            }
            kills += 1
            // Complete: the old or the new profile, byte for byte; history copies of whole versions.
            let killed = state(dir)
            #expect(killed.profile == before.profile || killed.profile == after.profile, "\(context): a torn profile:\n\(killed.profile ?? "none")")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: MemoryDirLayout(dir).historyDir)) ?? [] where name.hasPrefix("profile-") {
                let text = FileManager.default.contents(atPath: dir + "/history/" + name).map { String(decoding: $0, as: UTF8.self) }
                #expect(text.map { templateHistory.contains($0) || $0 == before.profile } == true, "\(context): history/\(name) is torn")
            }
            // The provenance agrees with the profile, even before recovery (a commit that
            // wrote the profile counts by its pending record).
            #expect(provenanceProblems(MemoryDirLayout(dir).profile).isEmpty, "\(context): \(provenanceProblems(MemoryDirLayout(dir).profile))")
            // Recovered: done once, or not at all.
            #expect(try await run(memMerge, ["--profile", MemoryDirLayout(dir).profile, "--recover"], dir: dir) == 0, "\(context): --recover failed")
            let recovered = state(dir)
            #expect(!recovered.pending, "\(context): pending left")
            let done = recovered.profile == after.profile && recovered.journal.count == after.journal.count
            if done {
                completed += 1
                #expect(recovered.journal == Array(after.journal.prefix(after.journal.count - 1)) + [recovered.journal.last!],
                        "\(context): the journal is not the old one plus one line")
                #expect(recovered.journal.last.map { (try? JSONParser.parse($0))?["action"] } == after.journal.last.map { (try? JSONParser.parse($0))?["action"] })
                #expect(recovered.cursor == after.cursor, "\(context): cursor \(recovered.cursor ?? "none")")
            } else {
                #expect(recovered.profile == before.profile, "\(context): the profile changed but the commit was not completed")
                #expect(recovered.journal == before.journal, "\(context): journal \(recovered.journal.count) lines, was \(before.journal.count)")
                #expect(recovered.cursor == before.cursor, "\(context): the cursor moved")
                // The next run (the update proposing the same exchanges again, the user
                // loading again) goes through, once.
                #expect(try await run(memMerge, arguments(dir), dir: dir) == 0, "\(context): the run after failed")
                let again = state(dir)
                #expect(again.profile == after.profile && again.journal.count == after.journal.count && again.cursor == after.cursor,
                        "\(context): the run after did not do the commit once")
            }
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !["profile.md", "cursor", "history", "history-started"].contains($0) }
                + ((try? FileManager.default.contentsOfDirectory(atPath: MemoryDirLayout(dir).historyDir)) ?? [])
                    .filter { !($0 == "journal.jsonl" || $0 == "provenance.json" || $0.hasPrefix("profile-") && $0.hasSuffix(".md")) }
            #expect(left.isEmpty, "\(context): left behind \(left)")
            #expect(provenanceProblems(MemoryDirLayout(dir).profile).isEmpty, "\(context), recovered: \(provenanceProblems(MemoryDirLayout(dir).profile))")
            #expect(!state(dir).journal.contains { $0.contains(#""action":"hand-edit""#) }, "\(context): a hand edit was recorded")
            try? FileManager.default.removeItem(atPath: dir)
        }
        #expect(kills >= points.count / 2, "only \(kills) of \(points.count) calls were reached")
        print("crash points [mem-merge \(operation)]: \(kills) kills, one before each file-system call after the memory dir is first touched; "
              + "\(completed) left the commit done (completed by --recover or before the kill), \(kills - completed) not done (and done once by the next run)")
    }

}
