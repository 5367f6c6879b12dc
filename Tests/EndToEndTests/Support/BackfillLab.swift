import Foundation
import TestKit
import Testing

/// A user whose llm has logged exchanges before memory was set up, and the porcelain beside
/// this build's tools to backfill them. No memory model is set: each exchange goes to the
/// model it was held with — `facts` (Tests/Support/llm-facts-model: "I like fact-0007."
/// becomes "- Likes fact-0007"), `scripted` (answers by rules, logs every prompt) or `echo`
/// — unless a test sets LLM_MEMORY_MODEL or passes --model.
///
/// Exchanges are logged through llm's own Python API with the time they were held
/// (Tests/Support/write_dated_exchanges.py). Where a test needs many model calls, or a
/// call that does something at a chosen moment, mem-propose's `llm` is a stand-in
/// (`standIn`): an sh script that then runs the facts model's file as a fake `llm`
/// executable (~20 ms a call instead of ~0.7 s through the real llm CLI).
struct BackfillLab {
    let sandbox: Sandbox
    let binDir: String
    var environment: [String: String]

    var dir: String { sandbox.memoryDir }
    var memory: MemoryDirLayout { sandbox.memory }
    var work: String { sandbox.root.path }
    var porcelainPath: String { binDir + "/llm-memory" }
    var profilePath: String { memory.profile }
    var rulesPath: String { work + "/rules.json" }
    var scriptedLog: String { work + "/scripted-calls.jsonl" }
    var factsLog: String { work + "/facts-calls.jsonl" }

    init() throws {
        sandbox = try Sandbox()
        binDir = try sandbox.makeBin()
        environment = sandbox.environment
        environment["PATH"] = "\(binDir):\(Repo.venvBin):/usr/bin:/bin"
        environment["LLM_SCRIPTED_RULES"] = work + "/rules.json"
        environment["LLM_SCRIPTED_LOG"] = work + "/scripted-calls.jsonl"
        environment["FACTS_MODEL_LOG"] = work + "/facts-calls.jsonl"
        try setRules([])
    }

    func remove() { sandbox.remove() }

    // MARK: what the user said

    /// One exchange of the user's history: what they typed, to which model, how long ago.
    struct Said {
        var prompt: String
        var model = "echo"
        var daysAgo: Double = 0
    }

    /// "I like fact-0001." … as exchanges with `model`, the first `daysAgo` days ago and
    /// each later one a day after it.
    static func facts(_ numbers: ClosedRange<Int>, model: String = "echo", daysAgo: Double = 400) -> [Said] {
        numbers.enumerated().map { i, n in Said(prompt: "I like \(fact(n)).", model: model, daysAgo: daysAgo - Double(i)) }
    }

    static func fact(_ n: Int) -> String { String(format: "fact-%04d", n) }

    /// Logs `exchanges` into llm's logs.db, oldest first, as llm would have.
    func log(_ exchanges: [Said], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try BackfillLab.log(exchanges, environment: environment, sourceLocation: sourceLocation)
    }

    /// Logs `exchanges` into the logs.db of `environment`'s LLM_USER_PATH.
    static func log(_ exchanges: [Said], environment: [String: String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let items = exchanges.map { ["prompt": $0.prompt, "model": $0.model, "days_ago": $0.daysAgo] as [String: Any] }
        let db = (environment["LLM_USER_PATH"] ?? "") + "/logs.db"
        let writer = try run(Repo.venvBin + "/python3", [Repo.root.appendingPathComponent("Tests/Support/write_dated_exchanges.py").path, db],
                             stdin: try JSONSerialization.data(withJSONObject: items), environment: environment)
        #expect(writer.status == 0, "logging the history: \(writer.err)", sourceLocation: sourceLocation)
    }

    /// Memory set up now, after the history (`setUpMemory`).
    @discardableResult
    func setUpMemory(sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        try EndToEndTests.setUpMemory(porcelain: porcelainPath, environment: environment, sourceLocation: sourceLocation)
    }

    /// The status line `key:` of `llm-memory status`.
    func statusLine(_ key: String) throws -> String {
        try porcelain(["status"]).out.split(separator: "\n").first { $0.hasPrefix(key + ":") }.map(String.init) ?? ""
    }

    /// The scripted model's rules: the first whose `match` is in the request answers.
    func setRules(_ rules: [[String: Any]]) throws {
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: rulesPath), options: .atomic)
    }

    /// A reply of ops, each citing exchange 1.
    static func reply(_ ops: [[String: Any]]) -> String {
        let cited = ops.map { $0.merging(["ex": 1]) { old, _ in old } }
        return String(decoding: try! JSONSerialization.data(withJSONObject: ["ops": cited]), as: UTF8.self)
    }

    /// A rule that answers the update request holding the user's `words` (as the request
    /// frames them: never the user's own call to the model) with `ops`.
    static func rule(whenUserSaid words: String, _ ops: [[String: Any]]) -> [String: Any] {
        ["match": words + "\n</user>", "reply": reply(ops)]
    }

    // MARK: running

    @discardableResult
    func porcelain(_ args: [String], env: [String: String] = [:], stdin: Data? = nil) throws -> RunResult {
        try run(porcelainPath, args, stdin: stdin, environment: environment.merging(env) { $1 })
    }

    /// Starts the porcelain in a process group of its own (as a shell starts a command);
    /// stdout and stderr go to `<name>.out` and `<name>.err`.
    func spawn(_ args: [String], env: [String: String] = [:], name: String) throws -> pid_t {
        try spawnInGroup(porcelainPath, args, env: environment.merging(env) { $1 },
                         stdout: work + "/\(name).out", stderr: work + "/\(name).err", cwd: work)
    }

    func output(_ name: String) -> (out: String, err: String) {
        (read(work + "/\(name).out") ?? "", read(work + "/\(name).err") ?? "")
    }

    /// An `llm` for mem-propose (LLM_MEMORY_LLM): `body` runs first — with $BACKFILL set
    /// to 1 when the call is a backfill's (its request says so), $CALL to the number of
    /// backfill calls so far, $PGID to the running backfill's process group (its pid:
    /// `spawn` made it a group leader) — then the facts model answers.
    func standIn(_ body: String) throws -> [String: String] {
        let path = work + "/stand-in-llm"
        try writeExecutable(path, """
            BACKFILL=""
            CALL=""
            case "$*" in
              *"This batch is a backfill"*)
                BACKFILL=1
                CALL=$(( $(cat '\(work)/backfill-calls' 2>/dev/null || echo 0) + 1 ))
                echo "$CALL" >'\(work)/backfill-calls'
                ;;
            esac
            PGID=$(cat '\(memory.backfillPid)' 2>/dev/null)
            \(body)
            exec '\(CrashLab.venvPython)' -S '\(CrashLab.factsModel)' "$@"
            """)
        return ["LLM_MEMORY_LLM": path, "LLM_MEMORY_MODEL": "facts"]
    }

    /// Waits (bounded) until `name` exists in the work dir.
    func waitFor(_ name: String, seconds: Double = 60) -> Bool {
        waitUntil(seconds: seconds) { FileManager.default.fileExists(atPath: work + "/" + name) }
    }

    func touch(_ name: String) {
        _ = FileManager.default.createFile(atPath: work + "/" + name, contents: nil)
    }

    // MARK: what happened

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func profile() -> String { read(profilePath) ?? "" }

    /// The facts in the profile, in order.
    func learned() -> [String] { likedFacts(inProfile: read(profilePath)) }

    /// The facts each of the facts model's update calls was shown, call by call.
    func factsCalls() -> [[String]] {
        jsonLines(factsLog).filter { $0["kind"] as? String == "propose" }.map { $0["facts"] as? [String] ?? [] }
    }

    /// What the scripted model received in update requests (not the user's own calls):
    /// system prompt and prompt of each.
    func scriptedUpdates() -> [(system: String, prompt: String)] {
        jsonLines(scriptedLog).compactMap { call in
            guard let system = call["system"] as? String, system.contains("durable facts") else { return nil }
            return (system, call["prompt"] as? String ?? "")
        }
    }

    /// Every line either model wrote: nothing was called when this does not change.
    func modelLogs() -> String { (read(scriptedLog) ?? "") + (read(factsLog) ?? "") }

    func journal() -> [[String: Any]] { jsonLines(memory.journal) }

    /// The exchange ids of each backfill change in the journal.
    func backfilledExchanges() -> [[String]] {
        journal().filter { $0["action"] as? String == "backfill" }.map { entry in
            (entry["sources"] as? [String]) ?? []
        }
    }

    /// Every file of the memory dir (but the update log) with its bytes.
    func snapshot() -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: dir)
        while let name = walker?.nextObject() as? String {
            guard !name.hasPrefix("log") else { continue }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir), !isDir.boolValue {
                files[name] = FileManager.default.contents(atPath: dir + "/" + name)
            }
        }
        return files
    }

    /// The ids of the exchanges llm logged, oldest first.
    func exchangeIDs() throws -> [String] {
        try run(Repo.tool("mem-extract"), [], environment: environment).out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
        }
    }

    private func jsonLines(_ path: String) -> [[String: Any]] {
        (read(path) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
