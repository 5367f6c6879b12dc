import Foundation
import Testing
import TestKit
@testable import MemKit
#if canImport(Glibc)
import Glibc
#endif

// MARK: - The harness

enum CrashTarget: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case update, extract = "mem-extract", propose = "mem-propose", merge = "mem-merge", render = "mem-render"
    var testDescription: String { rawValue }
}

func runKillHarness(target: CrashTarget, kills wanted: Int, seed defaultSeed: UInt64) async throws {
    let seed = CrashLab.seed(default: defaultSeed)
    var rng = SplitMix64(seed: seed)
    let lab = try CrashLab(seed: seed)
    defer { lab.remove() }
    try await lab.setUpMemory()
    let writer = try lab.startWriter()

    // Calibration: two clean updates over backlogs of 10 and 6, each stage's runs timed
    // by the shims (from the exec to the exit).
    var updateTime = 0.0
    for backlog in [10, 6] {
        try await writer.log(backlog, waitFor: true)
        let begin = Date()
        let first = try await lab.porcelain(["update"], env: ["CRASH_TIME": "1"])
        updateTime = Date().timeIntervalSince(begin)
        #expect(first.status == 0, "\(first.err)")
    }
    // The ranges follow the machine: every run not killed (timed here, its stages by the
    // shims) updates them, so a slower or faster moment shifts where kills are drawn.
    var updateTimes = [updateTime]
    func range(_ key: String) -> Double {
        if key == "update" { return updateTimes.suffix(7).sorted()[min(updateTimes.suffix(7).count, 7) / 2] * 1.1 }
        return (lab.stageTimes()[key] ?? 0.01) * 1.2
    }

    var killed = 0, attempts = 0, cleanRuns = 0
    var completed = 0, dropped = 0
    var problems: [String] = []
    while killed < wanted, attempts < wanted * 3, problems.isEmpty {
        attempts += 1
        try await writer.log(Int(rng.next() % 7) + 2, waitFor: false)  // logged while the update runs
        // Which run of the stage: mem-merge's first in an update is --recover (one kill in
        // four goes there), the others' first or second.
        let nth = target == .merge ? (rng.next() % 4 == 0 ? 1 : 2) : Int(rng.next() % 2) + 1
        let key = target == .merge && nth == 1 ? "mem-merge-recover" : target.rawValue
        // A stage's kill moments lean towards the end of its run, where it writes.
        let delay = target != .update && rng.next() % 3 != 0
            ? Double.random(in: (range(key) * 0.5)...range(key), using: &rng) : Double.random(in: 0...range(key), using: &rng)
        let context = "seed \(seed), target \(target.rawValue), attempt \(attempts), delay \(String(format: "%.4f", delay)) s"
        var didKill = false
        if target == .update {
            let begin = Date()
            let pid = try lab.spawnPorcelain(["update"], name: "run-\(attempts)")
            var status = await reap(pid, timeout: delay)  // an update done before the moment is not waited for
            if status == nil {
                kill(-pid, SIGKILL)
                status = await reap(pid, timeout: 60)
            } else {
                updateTimes.append(Date().timeIntervalSince(begin))
            }
            didKill = isKilled(status)
            if !didKill, exitCode(status) != 0 { problems.append("\(context): an update that was not killed exited \(String(describing: status)): \(lab.runErr("run-\(attempts)"))") }
        } else {
            let killsBefore = lab.stageKills()
            try? FileManager.default.removeItem(atPath: lab.crashState + ".count")
            let pid = try lab.spawnPorcelain(["update"], env: ["CRASH_TARGET": target.rawValue, "CRASH_NTH": "\(nth)",
                                                               "CRASH_DELAY": String(format: "%.4f", delay)],
                                             name: "run-\(attempts)")
            let status = await reap(pid, timeout: 60)
            didKill = lab.stageKills() > killsBefore
            if !didKill, exitCode(status) != 0 { problems.append("\(context): an update whose stage was not killed exited \(String(describing: status)): \(lab.runErr("run-\(attempts)"))") }
        }
        let err = lab.runErr("run-\(attempts)")
        completed += err.components(separatedBy: "completed an interrupted").count - 1
        dropped += err.components(separatedBy: "dropped an interrupted").count - 1
        if didKill { killed += 1 }
        if !(await eventually(timeout: 10, every: 0.02) { await lab.lockIsFree() }) {
            problems.append("\(context): the update lock is still held after the kill")
        }
        problems += lab.stateProblems().map { "\(context): \($0)" }

        if !didKill {
            problems += lab.stateProblems(settled: true).map { "\(context), not killed: \($0)" }
        }
        // Every other kill (at random), a clean run must go through and catch up;
        // otherwise the next killed run starts from what this kill left.
        if didKill && rng.next() % 2 == 0 {
            cleanRuns += 1
            let logged = writer.committed()
            let begin = Date()
            let clean = try await lab.porcelain(["update"], env: ["CRASH_TIME": "1"])
            if clean.status == 0 { updateTimes.append(Date().timeIntervalSince(begin)) }
            completed += clean.err.components(separatedBy: "completed an interrupted").count - 1
            dropped += clean.err.components(separatedBy: "dropped an interrupted").count - 1
            if clean.status != 0 || clean.err.contains("already running") {
                problems.append("\(context): the next run did not go through (exit \(clean.status)): \(clean.err)")
            }
            problems += lab.stateProblems(settled: true).map { "\(context), after a clean run: \($0)" }
            let facts = Set(lab.profileFacts())
            let missing = logged.map(\.fact).filter { !facts.contains($0) }
            if !missing.isEmpty { problems.append("\(context): after a clean run, logged facts are missing: \(missing)") }
        }
    }
    #expect(problems.isEmpty, "\(problems.prefix(5).joined(separator: "\n"))")
    // How many random kills land depends on the machine's load (a fast stage can finish
    // before its kill under a busy CI run), so only "some did" is asserted; the exact
    // crash points are covered deterministically by the strace test.
    #expect(killed >= 1, "no attempt killed \(target.rawValue) (\(attempts) attempts, wanted \(wanted), range \(range(target.rawValue)) s)")

    // The end of the stream, then a final clean run.
    let all = try await writer.finish()
    let final = try await lab.porcelain(["update"])
    #expect(final.status == 0, "\(final.err)")
    completed += final.err.components(separatedBy: "completed an interrupted").count - 1
    #expect(lab.stateProblems(settled: true).isEmpty, "\(lab.stateProblems(settled: true))")

    let profileFacts = lab.profileFacts()
    let expected = all.map(\.fact)
    #expect(Set(profileFacts) == Set(expected), "missing \(Set(expected).subtracting(profileFacts).sorted()), extra \(Set(profileFacts).subtracting(expected).sorted())")
    let doubledBullets = Dictionary(grouping: profileFacts, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    #expect(doubledBullets.isEmpty, "bullets doubled: \(doubledBullets)")
    #expect(lab.cursor() == (try await lab.newestCursor()), "the cursor is not the newest exchange's")

    // The journal: every exchange in exactly one merge, every fact added exactly once.
    let journal = try journalLines(lab.journalPath).filter { $0["action"] == .string("update") }
    let sourceCounts = Dictionary(grouping: journal.flatMap { $0["sources"]?.arrayValue ?? [] }.compactMap(\.stringValue), by: { $0 })
        .mapValues(\.count)
    let skipped = all.filter { sourceCounts[$0.id] == nil }
    let twice = all.filter { (sourceCounts[$0.id] ?? 0) > 1 }
    #expect(skipped.isEmpty, "exchanges in no merge: \(skipped.prefix(10))")
    #expect(twice.isEmpty, "exchanges merged twice: \(twice.prefix(10))")
    let addedCounts = Dictionary(grouping: journal.flatMap { $0["applied"]?.arrayValue ?? [] }.compactMap { $0["text"]?.stringValue }, by: { $0 })
        .mapValues(\.count)
    #expect(expected.allSatisfy { addedCounts["Likes \($0)"] == 1 }, "facts not added exactly once")
    let handEdits = try journalLines(lab.journalPath).filter { $0["action"] == .string("hand-edit") }
    #expect(handEdits.isEmpty, "hand edits recorded in a profile only mem-merge wrote: \(handEdits.prefix(3))")
    let alreadyThere = journal.flatMap { $0["skipped"]?.arrayValue ?? [] }.filter { $0["reason"]?.stringValue?.hasPrefix("already there") == true }.count
    #expect(alreadyThere == 0, "\(alreadyThere) ops were proposed again for exchanges already merged")

    let calls = lab.modelCalls()
    let proposed = calls.flatMap { $0.facts }
    let reproposed = Dictionary(grouping: proposed, by: { $0 }).filter { $0.value.count > 1 }.count
    print("crash harness [\(target.rawValue)]: seed \(seed), \(killed) kills survived in \(attempts) attempts (delays 0–\(String(format: "%.0f", range(target.rawValue) * 1000)) ms), \(cleanRuns) clean runs, "
          + "\(all.count) exchanges, \(journal.count) merges; recoveries: \(completed) commits completed, \(dropped) dropped; "
          + "\(calls.count) model calls, \(reproposed) facts shown to the model again after a kill before their commit; "
          + "exchanges skipped \(skipped.count), merged twice \(twice.count), ops re-proposed after their commit \(alreadyThere)")
}

// MARK: - Lab

struct LoggedFact: CustomStringConvertible {
    var id: String
    var fact: String
    var description: String { "\(fact) (\(id))" }
}

/// One sandbox for a crash test: the porcelain beside shims of the four tools, the fake
/// `llm` (or the real one), the `facts` model's call log, the stage-kill bookkeeping.
final class CrashLab: @unchecked Sendable {
    let sandbox: Sandbox
    let bin: String
    let work: String
    let fakeLLM: String
    let modelLog: String
    let crashState: String
    var environment: [String: String]

    var memoryDir: String { sandbox.memoryDir }
    var memory: MemoryDirLayout { sandbox.memory }
    var profilePath: String { memory.profile }
    var pendingPath: String { memory.pending }
    var cursorPath: String { memory.cursor }
    var historyDir: String { memory.historyDir }
    var journalPath: String { memory.journal }
    var porcelainPath: String { bin + "/llm-memory" }

    static func seed(default value: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["CRASH_TEST_SEED"].flatMap { UInt64($0) } ?? value
    }

    static var factsModel: String { Repo.root.appendingPathComponent("Tests/Support/llm-facts-model/llm_user_memory_facts_model.py").path }
    static var venvPython: String { URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().appendingPathComponent("python").path }

    init(seed: UInt64, realLLM: Bool = false) throws {
        sandbox = try Sandbox()
        work = sandbox.root.appendingPathComponent("work").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        modelLog = work + "/model-calls.jsonl"
        crashState = work + "/crash"
        fakeLLM = work + "/fake-llm"
        // CRASH_TEST_CHECKOUT runs the harness on another checkout's porcelain and debug build
        // (<dir>/bin/llm-memory, <dir>/.build/debug/mem-*), e.g. the tree before a fix.
        let other = ProcessInfo.processInfo.environment["CRASH_TEST_CHECKOUT"]
        bin = try sandbox.makeBin(porcelain: other.map { $0 + "/bin/llm-memory" } ?? Repo.porcelain,
                                  realTool: { tool in other.map { $0 + "/.build/debug/" + tool } ?? Repo.tool(tool) },
                                  shim: { tool, real in
            """
                # Crash-test shim for \(tool). With CRASH_TIME set, it times the run (ns, into
                # $CRASH_STATE.times; an in-place mem-merge apart from --recover). When
                # CRASH_TARGET names it, its CRASH_NTH-th run (counted in $CRASH_STATE.count)
                # runs under timeout(1), which sends it SIGKILL CRASH_DELAY seconds after it
                # starts; a kill is noted in $CRASH_STATE.kills. Otherwise it execs \(tool).
                if [ -n "${CRASH_TIME:-}" ]; then
                  key=\(tool)
                  case " $* " in *" --recover "*) key=\(tool)-recover ;; esac
                  start=$(date +%s%N)
                  '\(real)' "$@"
                  status=$?
                  echo "$key $(( $(date +%s%N) - start ))" >>"$CRASH_STATE.times"
                  exit "$status"
                fi
                if [ "${CRASH_TARGET:-}" = \(tool) ]; then
                  n=$(( $(cat "$CRASH_STATE.count" 2>/dev/null || echo 0) + 1 ))
                  echo "$n" >"$CRASH_STATE.count"
                  if [ "$n" -eq "${CRASH_NTH:-1}" ]; then
                    timeout --foreground --preserve-status -s KILL "$CRASH_DELAY" '\(real)' "$@"
                    status=$?
                    if [ "$status" -eq 137 ]; then echo "\(tool) $*" >>"$CRASH_STATE.kills"; fi
                    exit "$status"
                  fi
                fi
                exec '\(real)' "$@"
                """
        })
        try writeExecutable(fakeLLM, "exec '\(CrashLab.venvPython)' -S '\(CrashLab.factsModel)' \"$@\"")
        environment = sandbox.environment
        environment["PATH"] = "\(Repo.venvBin):/usr/bin:/bin"
        environment["LLM_MEMORY_MODEL"] = "facts"
        environment["LLM_MEMORY_LLM"] = realLLM ? Repo.llm : fakeLLM
        environment["LLM_MEMORY_BATCH"] = "5"
        environment["FACTS_MODEL_LOG"] = modelLog
        environment["CRASH_STATE"] = crashState
    }

    func script(_ name: String, _ body: String) throws -> String {
        let path = work + "/" + name
        try writeExecutable(path, body)
        return path
    }

    func remove() { sandbox.remove() }

    // MARK: running

    func porcelain(_ args: [String], env: [String: String] = [:]) async throws -> RunResult {
        try await runAndWait(porcelainPath, args, env: env)
    }

    /// Memory set up before the exchanges it is to learn are logged (`setUpMemory`).
    func setUpMemory(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await setUpMemoryAsync(porcelain: porcelainPath, environment: environment, cwd: work, sourceLocation: sourceLocation)
    }

    func tool(_ name: String, _ args: [String], stdin: Data? = nil) async throws -> RunResult {
        try await runAndWait(Repo.tool(name), args, env: [:], stdin: stdin)
    }

    private func runAndWait(_ program: String, _ args: [String], env: [String: String], stdin: Data? = nil) async throws -> RunResult {
        try await runAsync(program, args, stdin: stdin, environment: environment.merging(env) { $1 }, cwd: work)
    }

    /// Starts the porcelain in its own process group; stderr goes to `<name>.err`.
    func spawnPorcelain(_ args: [String], env: [String: String] = [:], name: String) throws -> pid_t {
        try spawnInGroup(porcelainPath, args, env: environment.merging(env) { $1 }, stdin: nil,
                         stdout: work + "/\(name).out", stderr: work + "/\(name).err", cwd: work)
    }

    func runErr(_ name: String) -> String {
        (try? String(contentsOfFile: work + "/\(name).err", encoding: .utf8)) ?? ""
    }

    func stageKills() -> Int {
        ((try? String(contentsOfFile: crashState + ".kills", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func lockIsFree() async -> Bool { await updateLockIsFree(memoryDir, environment: environment) }

    /// The median of the last 15 runs of each stage the shims timed (CRASH_TIME), in seconds.
    func stageTimes() -> [String: Double] {
        var samples: [String: [Double]] = [:]
        for line in ((try? String(contentsOfFile: crashState + ".times", encoding: .utf8)) ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let ns = Double(parts[1]) else { continue }
            samples[String(parts[0]), default: []].append(ns / 1e9)
        }
        return samples.mapValues { all in
            let recent = all.suffix(15).sorted()
            return recent[recent.count / 2]
        }
    }

    // MARK: the stream of exchanges

    final class Writer: @unchecked Sendable {
        let pid: pid_t
        let input: Int32
        let output: String
        private var asked = 0

        init(pid: pid_t, input: Int32, output: String) {
            self.pid = pid
            self.input = input
            self.output = output
        }

        /// Asks for `count` more exchanges; `waitFor`: until they are committed.
        func log(_ count: Int, waitFor: Bool) async throws {
            // A socket, not a pipe: send with MSG_NOSIGNAL cannot kill the test runner
            // with SIGPIPE if the writer has died (that shows up as missing exchanges).
            let line = Array("\(count)\n".utf8)
            _ = line.withUnsafeBytes { send(input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            asked += count
            if waitFor {
                let target = asked
                let done = await eventually(timeout: 60, every: 0.02) { self.committed().count >= target }
                if !done { throw TestError("the writer did not log \(target) exchanges: \(committed().count)") }
            }
        }

        /// The exchanges committed so far (printed by the writer after each commit).
        func committed() -> [LoggedFact] {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                return parts.count == 2 ? LoggedFact(id: String(parts[0]), fact: String(parts[1])) : nil
            }
        }

        /// Ends the stream; every exchange asked for.
        func finish() async throws -> [LoggedFact] {
            close(input)
            let status = await reap(pid, timeout: 120)
            if status.map(exitCode) != 0 { throw TestError("the writer failed: \(String(describing: status))") }
            let all = committed()
            if all.count != asked { throw TestError("the writer logged \(all.count) of \(asked)") }
            return all
        }
    }

    func startWriter() throws -> Writer {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw TestError("socketpair: \(errno)") }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let output = work + "/writer.out"
        let pid = try spawnInGroup(CrashLab.venvPython,
                                   [Repo.root.appendingPathComponent("Tests/Support/write_fact_exchanges.py").path,
                                    sandbox.logsDB, "1"],
                                   env: environment, stdinFD: fds[0], stdout: output, stderr: work + "/writer.err", cwd: work)
        close(fds[0])
        return Writer(pid: pid, input: fds[1], output: output)
    }

    /// Logs `count` facts and waits for them (a writer of its own).
    func logFacts(count: Int) async throws {
        let writer = try startWriter()
        try await writer.log(count, waitFor: true)
        _ = try await writer.finish()
    }

    // MARK: reading the state

    func profileText() -> String? {
        FileManager.default.contents(atPath: profilePath).map { String(decoding: $0, as: UTF8.self) }
    }

    func profileFacts() -> [String] { likedFacts(inProfile: profileText()) }

    func cursor() -> String? { cursorToken(memoryDir) }

    func newestCursor() async throws -> String? {
        let extracted = try await tool("mem-extract", ["--after", ""])
        return extracted.out.split(separator: "\n").last.flatMap { try? JSONParser.parse(String($0)) }?["cursor"]?.stringValue
    }

    func historyTexts() -> [(String, String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: historyDir)) ?? []
        return names.filter { $0.hasPrefix("profile-") && $0.hasSuffix(".md") }.sorted().compactMap { name in
            FileManager.default.contents(atPath: historyDir + "/" + name).map { (name, String(decoding: $0, as: UTF8.self)) }
        }
    }

    struct ModelCall { var facts: [String] }

    func modelCalls() -> [ModelCall] {
        ((try? String(contentsOfFile: modelLog, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            guard let call = try? JSONParser.parse(String(line)), call["kind"] == .string("propose") else { return nil }
            return ModelCall(facts: (call["facts"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
    }

    /// Journal lines that do not parse (a torn last line is allowed while a commit is pending).
    func journalProblems() -> [String] {
        guard let data = FileManager.default.contents(atPath: journalPath) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var problems: [String] = []
        if lines.last == "" { lines.removeLast() } else if FileManager.default.fileExists(atPath: pendingPath) {
            lines.removeLast()  // a torn line the pending commit will cut off and write again
        } else {
            problems.append("the journal's last line has no newline")
        }
        for line in lines where (try? JSONParser.parse(line)) == nil {
            problems.append("a journal line does not parse: \(line.prefix(200))")
        }
        return problems
    }

    // What the journal said so far (it only grows; a torn last line is not read).
    private var journalRead = 0
    private var lastVersion: ProfileDocument?
    private var versions: [String] = []
    private var knownVersions: Set<String> = []
    private var sourceCounts: [String: Int] = [:]
    private var throughs: [String] = []
    private var historyChecked: Set<String> = []

    /// What is wrong with the files now. `settled`: after a clean run (nothing pending,
    /// no temp files, the cursor at the last merge).
    func stateProblems(settled: Bool = false) -> [String] {
        var problems = journalProblems()
        let journal = ((try? journalLines(journalPath, allowingTornLast: true)) ?? [])
        // Replay: the profile each merge left, from the default, applying what it applied.
        for line in journal.dropFirst(journalRead) where line["action"] == .string("update") {
            for source in (line["sources"]?.arrayValue ?? []).compactMap(\.stringValue) { sourceCounts[source, default: 0] += 1 }
            if let through = line["through"]?.stringValue { throughs.append(through) }
            let ops = (line["applied"]?.arrayValue ?? []).compactMap { try? DeltaOp(json: $0) }
            guard !ops.isEmpty else { continue }
            lastVersion = ProfileMerger.apply(Delta(ops: ops), to: lastVersion ?? .default).document
            let text = String(decoding: lastVersion!.bytes, as: UTF8.self)
            versions.append(text)
            knownVersions.insert(text)
        }
        journalRead = max(journalRead, journal.count)
        let pending = FileManager.default.contents(atPath: pendingPath).flatMap { try? JSONParser.parse(Array($0)) }
        if settled, pending != nil { problems.append("a pending commit is left after a clean run") }

        if let profile = FileManager.default.contents(atPath: profilePath) {
            let text = String(decoding: profile, as: UTF8.self)
            let pendingMatches = pending?["sha256"]?.stringValue == SHA256.hex(Array(profile))
            if text != versions.last && !pendingMatches {
                problems.append("profile.md is neither the last journalled version nor the pending one:\n\(text.suffix(300))")
            }
            if pendingMatches, text != versions.last, let entry = pending?["entry"] {
                let ops = (entry["applied"]?.arrayValue ?? []).compactMap { try? DeltaOp(json: $0) }
                let expected = ProfileMerger.apply(Delta(ops: ops), to: lastVersion ?? .default).document
                if String(decoding: expected.bytes, as: UTF8.self) != text {
                    problems.append("profile.md matches the pending hash but not the pending ops on the last version")
                }
            }
        } else if !versions.isEmpty {
            problems.append("profile.md is gone after \(versions.count) versions")
        }
        let historyNames = ((try? FileManager.default.contentsOfDirectory(atPath: historyDir)) ?? [])
            .filter { $0.hasPrefix("profile-") && $0.hasSuffix(".md") && !historyChecked.contains($0) }
        for name in historyNames {
            let text = FileManager.default.contents(atPath: historyDir + "/" + name).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if knownVersions.contains(text) {
                historyChecked.insert(name)
            } else {
                problems.append("history/\(name) is not a complete version:\n\(text.suffix(200))")
            }
        }

        // Exchanges merged twice so far.
        let doubled = sourceCounts.filter { $0.value > 1 }.keys
        if !doubled.isEmpty { problems.append("exchanges in two merges: \(doubled.sorted().prefix(5))") }

        // The cursor: a whole token, at the last merge (or, before a pending commit's
        // cursor write, at the one before).
        if let raw = try? String(contentsOfFile: cursorPath, encoding: .utf8) {
            let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if raw != token + "\n" || (try? Cursor(token: token)) == nil { problems.append("the cursor file is not one token: \(raw.debugDescription)") }
            let allowed = settled || pending == nil ? throughs.suffix(1) : throughs.suffix(2)
            if !allowed.contains(token) { problems.append("the cursor \(token) is not the last merge's through \(throughs.suffix(2))") }
        } else if settled, !throughs.isEmpty {
            problems.append("no cursor after \(throughs.count) merges")
        }
        problems += provenanceProblems(profilePath)
        if settled {
            let left = leftovers()
            if !left.isEmpty { problems.append("left behind: \(left)") }
        }
        return problems
    }

    /// Files in the memory dir that should not be there once no command runs.
    func leftovers() -> [String] {
        let known: Set<String> = ["profile.md", "fragment.md", "cursor", "origin", "history", "log", "last-update", "llm-commands",
                                  "notice", "notified.update", "notified.render", "history-started"]
        let top = ((try? FileManager.default.contentsOfDirectory(atPath: memoryDir)) ?? []).filter { !known.contains($0) }
        let history = ((try? FileManager.default.contentsOfDirectory(atPath: historyDir)) ?? [])
            .filter { !($0 == "journal.jsonl" || $0 == "provenance.json" || $0.hasPrefix("profile-") && $0.hasSuffix(".md")) }
            .map { "history/" + $0 }
        return (top + history).sorted()
    }

    // MARK: edit, load, clear

    func editCommand(_ command: String, n: Int, editor: String) throws -> ([String], [String: String]) {
        try Data("\(n)".utf8).write(to: URL(fileURLWithPath: work + "/edit-n"))
        switch command {
        case "edit":
            return (["edit"], ["EDITOR": editor, "VISUAL": ""])
        case "load":
            let file = work + "/load-\(n).md"
            try Data(PorcelainText.profile(["Loaded \(n)"]).utf8).write(to: URL(fileURLWithPath: file))
            return (["load", file], [:])
        default:
            return (["clear", "--yes"], [:])
        }
    }

    /// The profile `command` #n writes when it completes.
    func expectedText(_ command: String, n: Int, current: String?) -> String? {
        switch command {
        case "edit":
            let draft = (try? String(contentsOfFile: memoryDir + "/.edit.md", encoding: .utf8)) ?? current ?? ProfileDocument.defaultText
            return draft + "- Edited \(n)\n"
        case "load": return PorcelainText.profile(["Loaded \(n)"])
        default: return ProfileDocument.defaultText
        }
    }
}

enum PorcelainText {
    static func profile(_ bullets: [String]) -> String {
        "# User profile\n\n## Personal Information\n\n" + bullets.map { "- \($0)\n" }.joined() + "\n## Interests\n\n- Chess\n"
    }
}

// MARK: - Helpers (also used by ConcurrencyTests)

/// Where the profile and its provenance disagree, for a profile only mem-merge wrote: a
/// hand edit seen (a bullet the recorded changes do not account for, or a hash that is
/// not the last change's), or a provenance cache that says otherwise than the journal
/// replayed. A commit killed after it wrote the profile counts as recorded (its `pending`
/// record names the profile's hash), as the next mem-merge completes it.
func provenanceProblems(_ profilePath: String) -> [String] {
    let store = ProfileStore(profilePath: profilePath)
    let state: HistoryState
    do { state = try HistoryState.load(store) } catch { return ["the history cannot be read: \(error.message)"] }
    var problems: [String] = []
    if let handEdit = state.handEdit {
        problems.append("the profile and its provenance disagree: a hand edit is seen, \(handEdit.changes ?? [])")
    }
    func sorted(_ bullets: [ProfileBullet]) -> [String] { bullets.map { $0.sectionKey + "\u{0}" + $0.text }.sorted() }
    if state.handEdit == nil, sorted(state.recorded.bullets) != sorted(state.document.profileBullets) {
        problems.append("the recorded bullets are not the profile's")
    }
    if FileManager.default.fileExists(atPath: ProvenanceCache(store: store).path),
       let cached = try? ProvenanceCache(store: store).load().provenance, let replayed = try? ProvenanceCache(store: store).replayed() {
        func key(_ p: Provenance) -> [String] { p.records.map { "\($0.sectionKey)\u{0}\($0.text)\u{0}\($0.events.map(\.change))" }.sorted() }
        if key(cached) != key(replayed) || cached.lastID != replayed.lastID {
            problems.append("the provenance cache disagrees with the journal")
        }
    }
    return problems
}

func journalLines(_ path: String, allowingTornLast: Bool = false) throws -> [JSONValue] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() } else if allowingTornLast, !lines.isEmpty { lines.removeLast() }
    return try lines.map { try JSONParser.parse(String($0)) }
}
