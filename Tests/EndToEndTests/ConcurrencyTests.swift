import Foundation
import Testing
import TestKit
import MemKit
#if canImport(Glibc)
import Glibc
#endif

/// Many `llm` calls at once through the shell wrapper (ARCHITECTURE.md, "Invariants": one
/// update at a time, nothing lost, nothing doubled; the wrapper starts one background
/// update per call).
///
/// Twenty `llm -m facts "I like fact-00NN."` calls are started together from one
/// interactive bash (`bash -ic`, the rc block that `llm-memory install-shell bash` wrote),
/// each through the wrapper function, which starts `llm-memory update --detached` after
/// llm returns. Meanwhile `llm-memory watch` runs with a 1-second interval and
/// `mem-extract` reads logs.db in a tight loop. The update's model is the test-only
/// `facts` model (Tests/Support/llm-facts-model) through the real llm CLI — the model the
/// exchanges used, as an update picks it by default — which turns exactly the facts of
/// the exchanges it is shown into `add` ops.
///
/// "Never two updates at once" is checked by shims of the four tools beside the porcelain
/// (where it looks for its tools first). A stage run by an update (its parent's command
/// line is `llm-memory update`) notes, before it runs the real tool:
/// - whether its own update holds the lock: `flock -n DIR true` must fail (someone holds
///   the memory dir's flock) while `flock -n 9` succeeds (fd 9, inherited from the update,
///   is the open file description that holds it: locking it again is a no-op). Every stage
///   running under its own update's exclusive lock means no two updates' locked work —
///   which is all of an update's reading and writing of the memory dir — overlaps; and
/// - a witness: it creates `busy` with O_EXCL (`set -C`) and removes it after the tool
///   exits; a create that fails means another update's stage is running at that moment.
/// Both must hold for every stage run. (The wrapper's own `llm-memory render`, run without
/// the lock by design, is not an update and is only counted.)
///
/// llm 0.36 cannot log twenty simultaneous calls by itself (see the test); the calls it
/// fails are checked to be its own write conflicts, and everything else is checked for
/// the calls it logged.
///
/// Settled means, polled with a bound: every background update the log names has exited,
/// the lock is free, no `update.again` note is left, and `mem-extract --count` after the
/// cursor is 0. No assertion depends on timing.
@Suite(.enabled(if: Repo.llmAvailable && FileManager.default.isExecutableFile(atPath: "/bin/bash"),
                "needs the pinned llm venv (make test-env) and bash"))
struct ConcurrencyTests {

    @Test func twentyLLMCallsAtOnceThroughTheWrapperAllReachTheProfileWithOneUpdateAtATimeWithOrWithoutAWatch() async throws {
        let lab = try ConcurrencyLab()
        defer { lab.remove() }
        let install = try await lab.run(lab.porcelainPath, ["install-shell", "bash"])
        #expect(install.status == 0, "\(install.err)")
        // logs.db exists, as for anyone who has used llm: twenty first-ever calls racing to
        // create and migrate it fail inside llm itself ("no such table: log").
        let migrate = try await lab.run(URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().appendingPathComponent("python").path,
                                        ["-c", "import sys, sqlite_utils; from llm.migrations import migrate; migrate(sqlite_utils.Database(sys.argv[1]))",
                                         lab.sandbox.logsDB])
        #expect(migrate.status == 0, "\(migrate.err)")

        // Round 1: the wrapper's background updates alone. Round 2: the same with
        // `llm-memory watch` updating every second all along; the outcome must not change.
        let count = 20
        var succeeded: [String] = []
        for round in 1...2 {
            let withWatch = round == 2
            let first = (round - 1) * count + 1
            let facts = (first..<(first + count)).map { String(format: "fact-%04d", $0) }
            var watch: pid_t = 0
            if withWatch {
                watch = try spawnInGroup(lab.porcelainPath, ["watch"], env: lab.environment.merging(["LLM_MEMORY_UPDATE_INTERVAL": "1"]) { $1 },
                                         stdout: lab.work + "/watch.out", stderr: lab.work + "/watch.err", cwd: lab.work)
            }
            defer { if watch > 0 { kill(-watch, SIGKILL); _ = waitpid(watch, nil, WNOHANG) } }
            let headersBefore = lab.updateHeaders().count
            let stagesBefore = lab.stageRuns().count
            let modelCallsBefore = lab.modelCalls()
            let notesBefore = lab.turnedAway()

            // Twenty calls at once from one interactive bash, mem-extract reading in a loop.
            let script = """
                cd '\(lab.work)' || exit 1
                [ "$(type -t llm)" = function ] || { echo "llm is not the wrapper" >&2; exit 2; }
                rm -f stop-reader
                ( n=0; f=0
                  while [ ! -e stop-reader ]; do
                    if '\(Repo.tool("mem-extract"))' >/dev/null 2>>reader.err; then n=$((n + 1)); else f=$((f + 1)); fi
                  done
                  echo "$n $f" >reader.\(round).counts ) &
                reader=$!
                pids=""
                for i in $(seq \(first) \(first + count - 1)); do
                  ( llm -m facts "I like fact-$(printf %04d "$i")." >call.$i.out 2>call.$i.err; echo $? >call.$i.status ) &
                  pids="$pids $!"
                done
                for p in $pids; do wait "$p"; done
                : >stop-reader
                wait "$reader"
                """
            let shell = try spawnInGroup("/bin/bash", ["-i", "-c", script], env: lab.environment,
                                         stdout: lab.work + "/bash.out", stderr: lab.work + "/bash.err", cwd: lab.work)
            let shellStatus = await reap(shell, timeout: 240)
            #expect(shellStatus.map { exitCode($0) } == 0, "round \(round), bash: \(lab.read("bash.err") ?? "")")

            // Every call answered. llm 0.36 itself cannot log twenty calls at once: two of
            // its write transactions that overlap deadlock in SQLite, and one gets "database
            // is locked" at once, busy timeout or not (6–9 of 20 fail that way on two cores
            // with no wrapper and no reader at all). Our reader only ever takes a read lock,
            // for at most 200 rows, so it can delay a commit but never deadlock one. So: a
            // call that failed must have failed in llm's own log write, and every call that
            // succeeded must be logged and reach the profile.
            var llmsOwnFailures = 0
            for (offset, fact) in facts.enumerated() {
                let i = first + offset
                let err = lab.read("call.\(i).err") ?? ""
                if lab.read("call.\(i).status") == "0\n" {
                    #expect(lab.read("call.\(i).out") == "Noted.\n", "call \(i): \(lab.read("call.\(i).out") ?? "")")
                    succeeded.append(fact)
                } else {
                    llmsOwnFailures += 1
                    #expect(err.contains("database is locked") && err.contains("log_to_db"),
                            "call \(i) failed other than in llm's own log write: status \(lab.read("call.\(i).status") ?? "none"): \(err.suffix(1500))")
                }
            }

            // Settled: every background update gone, the lock free, no note, nothing waiting.
            let settled = await eventually(timeout: 180, every: 0.02) { await lab.settled(expectingRuns: headersBefore + count) }
            #expect(settled, "round \(round): the background updates did not settle: \(lab.updateHeaders().count - headersBefore) started; note \(FileManager.default.fileExists(atPath: lab.memory.againNote)); log:\n\(lab.read(lab.memory.updateLog)?.suffix(2000) ?? "")")
            if withWatch {
                // SIGTERM: the watch stops cleanly; an update it started finishes first.
                kill(watch, SIGTERM)
                let watchStatus = await reap(watch, timeout: 120)
                if watchStatus != nil { watch = 0 }
                #expect(watchStatus.map { exitCode($0) } == 0, "watch: \(lab.read("watch.err") ?? "")")
                #expect(lab.read("watch.err")?.contains("updating every 1 s") == true, "\(lab.read("watch.err") ?? "")")
                #expect(!FileManager.default.fileExists(atPath: lab.memory.watchPid))
                #expect(await eventually(timeout: 60, every: 0.02) { await lab.settled(expectingRuns: headersBefore + count) })
            }

            // logs.db, as llm itself reads it: a turn for every call that succeeded.
            let logs = try await lab.run(Repo.llm, ["logs", "-n", "0", "--json"])
            let rows = (try? JSONSerialization.jsonObject(with: logs.stdout) as? [[String: Any]]) ?? []
            #expect(rows.count == succeeded.count, "llm logs: \(rows.count) rows: \(logs.err)")
            #expect(Set(rows.compactMap { $0["prompt"] as? String }) == Set(succeeded.map { "I like \($0)." }))

            // The profile: every logged fact exactly once; the cursor at the newest exchange.
            let profileFacts = lab.profileFacts()
            #expect(profileFacts.sorted() == succeeded.sorted(), "round \(round), profile facts: \(profileFacts)")
            let exchanges = try await lab.run(Repo.tool("mem-extract"), [])
            let records = exchanges.out.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            #expect(records.count == succeeded.count)
            #expect(lab.cursor() == records.last?["cursor"]?.stringValue)

            // The journal: every exchange in exactly one merge, every fact added once.
            let journal = try journalLines(lab.memory.journal).filter { $0["action"] == .string("update") }
            let sources = journal.flatMap { $0["sources"]?.arrayValue ?? [] }.compactMap(\.stringValue)
            let ids = records.compactMap { $0["id"]?.stringValue }
            #expect(ids.allSatisfy { id in sources.filter { $0 == id }.count == 1 }, "round \(round): sources \(sources), ids \(ids)")
            let added = journal.flatMap { $0["applied"]?.arrayValue ?? [] }.compactMap { $0["text"]?.stringValue }
            #expect(added.sorted() == succeeded.sorted().map { "Likes \($0)" }, "\(added)")

            // One update at a time: every stage an update ran held its own update's lock,
            // and no two updates' stages ran at the same moment.
            let stages = Array(lab.stageRuns().dropFirst(stagesBefore))
            let updateStages = stages.filter { $0.role == "update" }
            #expect(!updateStages.isEmpty)
            let unlocked = updateStages.filter { $0.held != "ours" }
            let clashes = updateStages.filter { $0.witness != "ok" }
            #expect(unlocked.isEmpty, "round \(round): stages run without their update holding the lock: \(unlocked)")
            #expect(clashes.isEmpty, "round \(round): stages of two updates at once: \(clashes)")

            let lockedRuns = updateStages.filter { $0.tool == "mem-merge" && $0.arguments.contains("--recover") }.count
            let reader = (lab.read("reader.\(round).counts") ?? "").split(separator: " ")
                .compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            print("concurrency round \(round) (\(withWatch ? "with" : "without") watch): \(count) llm calls at once, "
                  + "\(count - llmsOwnFailures) exit 0 (\(llmsOwnFailures) failed in llm's own log write), \(rows.count) turns logged in all; "
                  + "\(lab.updateHeaders().count - headersBefore) background updates started, \(lab.turnedAway() - notesBefore) found the lock held "
                  + "and left a note; \(lockedRuns) locked update runs; \(updateStages.count) stage runs, all under their own update's lock, "
                  + "none overlapping; \(lab.modelCalls() - modelCallsBefore) model calls; \(stages.count - updateStages.count) renders by the wrapper; "
                  + "mem-extract in a loop: \(reader.first ?? -1) reads, \(reader.count > 1 ? reader[1] : -1) failed")
        }
    }
}

/// One sandbox: the porcelain beside lock-checking shims of the four tools, a scratch HOME
/// (for the rc file) and llm user dir, the real llm 0.36 with the `facts` model.
private final class ConcurrencyLab: @unchecked Sendable {
    let sandbox: Sandbox
    let bin: String
    let work: String
    let state: String
    var environment: [String: String]

    var memoryDir: String { sandbox.memoryDir }
    var memory: MemoryDirLayout { sandbox.memory }
    var porcelainPath: String { bin + "/llm-memory" }

    init() throws {
        sandbox = try Sandbox()
        work = sandbox.root.appendingPathComponent("work").path
        state = work + "/stages"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        bin = try sandbox.makeBin(shim: { tool, real in
            """
                # Concurrency-test shim for \(tool): run by an update, it notes whether that
                # update holds the lock (a new open of the memory dir cannot take it; fd 9,
                # the update's, can) and whether another update's stage runs meanwhile (busy,
                # created with O_EXCL). One line per run in $CONC_STATE.log.
                dir=${LLM_MEMORY_DIR:-$LLM_USER_PATH/memory}
                role=other held=- witness=-
                case " $(tr '\\000' ' ' </proc/$PPID/cmdline 2>/dev/null) " in
                  *" update "*) role=update ;;
                  *" render "*) role=render ;;
                esac
                if [ "$role" = update ]; then
                  if flock -n "$dir" true 2>/dev/null; then held=free
                  elif flock -n 9 2>/dev/null; then held=ours
                  else held=other; fi
                  if ( set -C; : >"$CONC_STATE.busy" ) 2>/dev/null; then witness=ok; else witness=clash; fi
                fi
                '\(real)' "$@"
                status=$?
                [ "$witness" = ok ] && rm -f "$CONC_STATE.busy"
                echo "\(tool) $role $held $witness $*" >>"$CONC_STATE.log"
                exit "$status"
                """
        })
        let inherited = ProcessInfo.processInfo.environment
        environment = [
            "PATH": "\(URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().path):/usr/bin:/bin",
            "HOME": sandbox.home,
            "LLM_USER_PATH": sandbox.llmUserPath,
            "SHELL": "/bin/bash",
            "LANG": inherited["LANG"].flatMap { $0.uppercased().contains("UTF") ? $0 : nil } ?? "C.UTF-8",
            "TMPDIR": sandbox.root.path,
            "USER": inherited["USER"] ?? "tester",
            // Up to 10 exchanges per model call (the model may give up to 20 ops).
            "LLM_MEMORY_BATCH": "10",
            "FACTS_MODEL_LOG": work + "/model-calls.jsonl",
            "CONC_STATE": state,
        ]
    }

    func remove() { sandbox.remove() }

    func run(_ program: String, _ args: [String]) async throws -> RunResult {
        try await runAsync(program, args, environment: environment, cwd: work)
    }

    func read(_ name: String) -> String? {
        let path = name.hasPrefix("/") ? name : work + "/" + name
        return FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func cursor() -> String? { cursorToken(memoryDir) }

    func profileFacts() -> [String] { likedFacts(inProfile: read(memory.profile)) }

    func modelCalls() -> Int {
        (read("model-calls.jsonl") ?? "").split(separator: "\n").filter { $0.contains("\"propose\"") }.count
    }

    /// How many background updates found the lock held (and left a note).
    func turnedAway() -> Int {
        (read(memory.updateLog) ?? "").components(separatedBy: "an update is already running").count - 1
    }

    /// The pids in the `== … update (pid N)` headers of the background-update log.
    func updateHeaders() -> [Int32] { updateRuns(inLog: read(memory.updateLog)).map(\.pid) }

    struct StageRun: CustomStringConvertible {
        var tool, role, held, witness, arguments: String
        var description: String { "\(tool) [\(role), lock \(held), witness \(witness)] \(arguments)" }
    }

    func stageRuns() -> [StageRun] {
        (read(state + ".log") ?? "").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 4 else { return nil }
            return StageRun(tool: parts[0], role: parts[1], held: parts[2], witness: parts[3], arguments: parts.count > 4 ? parts[4] : "")
        }
    }

    /// All `expectingRuns` background updates started and gone, the lock free, no note,
    /// nothing after the cursor.
    func settled(expectingRuns: Int) async -> Bool {
        let headers = updateHeaders()
        guard headers.count >= expectingRuns, headers.allSatisfy({ !isAlive($0) }) else { return false }
        guard !FileManager.default.fileExists(atPath: memory.againNote) else { return false }
        guard await updateLockIsFree(memoryDir, environment: environment) else { return false }
        guard let waiting = try? await run(Repo.tool("mem-extract"), ["--after", cursor() ?? "", "--count"]) else { return false }
        return waiting.status == 0 && waiting.out.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
    }
}
