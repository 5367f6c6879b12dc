import Foundation
import Testing
import TestKit
#if canImport(Glibc)
import Glibc
#endif

/// mem-propose against the real llm 0.36 (with the `echo` and test-only `scripted` models).
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv: run scripts/setup-test-env.sh"))
struct ProposeCommandTests {
    static let fakeKey = "sk-" + "proj-" + "Qw12Er34Ty56Ui78Op90As12Df34Gh56"

    /// One exchange record as mem-extract prints it.
    static func exchangeLine(id: String, prompt: String?, response: String = "Noted.", model: String? = "scripted",
                             cursor: String, datetime: String = "2025-06-01T10:00:00") -> String {
        let record: [String: Any] = [
            "id": id, "conversation": "conv-1", "model": model as Any, "datetime": datetime,
            "prompt": prompt as Any, "system": NSNull(), "fragments": [], "response": response, "cursor": cursor,
        ]
        let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static let twoExchanges = [
        exchangeLine(id: "01JX0000000000000000000001", prompt: "I'm a Rust developer and my key is \(fakeKey)", cursor: "r0.t1"),
        exchangeLine(id: "01JX0000000000000000000002", prompt: "I live in Lisbon. What's the capital of France?", response: "Paris.",
                     cursor: "r0.t2"),
    ].joined(separator: "\n") + "\n"

    struct Setup {
        let sandbox: Sandbox
        var env: [String: String]
        let log: URL
    }

    /// A sandbox whose `scripted` model follows `rules` and logs what it receives.
    func setup(rules: [[String: Any]]) throws -> Setup {
        let sandbox = try Sandbox()
        let rulesURL = sandbox.root.appendingPathComponent("rules.json")
        try JSONSerialization.data(withJSONObject: rules).write(to: rulesURL)
        let log = sandbox.root.appendingPathComponent("model-calls.jsonl")
        var env = sandbox.environment
        env["LLM_SCRIPTED_RULES"] = rulesURL.path
        env["LLM_SCRIPTED_LOG"] = log.path
        return Setup(sandbox: sandbox, env: env, log: log)
    }

    func propose(_ setup: Setup, _ arguments: [String] = [], input: String = twoExchanges) throws -> RunResult {
        try run(Repo.tool("mem-propose"), arguments, stdin: Data(input.utf8), environment: setup.env)
    }

    func modelCalls(_ log: URL) -> [[String: String]] {
        guard let data = try? Data(contentsOf: log) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
    }

    func json(_ result: RunResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result.out)")
    }

    @Test func aScriptedDeltaCitingExchangeOneBecomesADeltaWithThatExchangesID() throws {
        let reply = #"{"ops": [{"op": "add", "section": "Personal Information", "text": "Role: Rust developer", "ex": 1}]}"#
        let setup = try setup(rules: [["match": "", "reply": reply]])
        defer { setup.sandbox.remove() }

        let result = try propose(setup)
        #expect(result.status == 0, "\(result.err)")
        let delta = try json(result)
        let ops = try #require(delta["ops"] as? [[String: String]])
        #expect(ops == [["op": "add", "section": "Personal Information", "text": "Role: Rust developer",
                         "source": "01JX0000000000000000000001", "source_time": "2025-06-01T10:00:00"]])
        #expect(delta["sources"] as? [String] == ["01JX0000000000000000000001", "01JX0000000000000000000002"])
        #expect(delta["through"] as? String == "r0.t2")
        #expect(delta["model"] as? String == "scripted")
        // Pretty-printed, one key per line.
        #expect(result.out.hasPrefix("{\n  \"ops\": ["))
    }

    @Test func theModelGetsTheRedactedTextAndTheCallIsNeverLogged() throws {
        let setup = try setup(rules: [["match": "", "reply": #"{"ops": []}"#]])
        defer { setup.sandbox.remove() }

        let result = try propose(setup)
        #expect(result.status == 0, "\(result.err)")
        let calls = modelCalls(setup.log)
        #expect(calls.count == 1)
        let call = try #require(calls.first)
        let prompt = try #require(call["prompt"])
        let system = try #require(call["system"])
        #expect(system.contains("durable facts"))
        #expect(prompt.contains("<exchange n=\"1\">"))
        #expect(prompt.contains("I'm a Rust developer and my key is [REDACTED:openai-key]"))
        #expect(prompt.contains("<exchange n=\"2\">"))
        #expect(!prompt.contains(Self.fakeKey) && !system.contains(Self.fakeKey))
        #expect(!prompt.contains("Qw12Er34"))
        #expect(result.err.contains("redacted 1 secret"))

        // `--no-log`: the call left no row in llm's log database.
        let logs = try run(Repo.llm, ["logs", "list", "--json", "-n", "0"], environment: setup.env)
        #expect(logs.status == 0, "\(logs.err)")
        #expect(logs.out.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func theEchoModelsJSONDumpIsNoDeltaSoNoOpsAndAWarning() throws {
        let setup = try setup(rules: [])
        defer { setup.sandbox.remove() }

        let result = try propose(setup, ["--model", "echo"])
        #expect(result.status == 0, "\(result.err)")
        let delta = try json(result)
        #expect((delta["ops"] as? [Any])?.isEmpty == true)
        #expect(delta["through"] as? String == "r0.t2")
        #expect(delta["model"] as? String == "echo")
        #expect(result.err.contains("mem-propose: the model's reply held no JSON ops"))
    }

    @Test func aModelErrorIsATemporaryFailureWithNothingOnStdout() throws {
        let setup = try setup(rules: [["match": "", "error": "Rate limit reached for requests"]])
        defer { setup.sandbox.remove() }

        let result = try propose(setup)
        #expect(result.status == 75)
        #expect(result.stdout.isEmpty)
        #expect(result.err.contains("mem-propose: llm failed (exit 1, model scripted): Error: Rate limit reached for requests"))
    }

    /// What llm prints when the openai client raises AuthenticationError (a wrong or
    /// revoked key): the scripted model raises an error with the same text.
    static let refusedKeyError = "Error code: 401 - {'error': {'message': 'Incorrect API key provided: \(fakeKey). You can find your API key at https://platform.openai.com/account/api-keys.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}"

    @Test func aRefusedAPIKeyStopsWithExit69NamingTheModelAndLlmKeysSetAndNeverFallsBackToLlmsDefault() throws {
        let setup = try setup(rules: [["match": "", "error": Self.refusedKeyError]])
        defer { setup.sandbox.remove() }
        // llm's default is a model that works: it is still not asked.
        #expect(try run(Repo.llm, ["models", "default", "echo"], environment: setup.env).status == 0)

        for arguments in [["--model", "scripted"], []] {
            let result = try propose(setup, arguments)
            #expect(result.status == 69, "\(result.err)")
            #expect(result.stdout.isEmpty)
            let lines = result.err.split(separator: "\n").filter { $0.contains("cannot be used") }
            #expect(lines.count == 1, "\(result.err)")
            let line = String(lines.first ?? "")
            #expect(line.contains("model 'scripted'"), "\(result.err)")
            #expect(line.contains("cannot be used (its API key was refused: Error: Error code: 401"), "\(result.err)")
            #expect(line.contains("`llm keys set"), "\(result.err)")
            #expect(!result.err.contains("Qw12Er34Ty56Ui78Op90As12Df34Gh56"), "the key was not redacted: \(result.err)")
            #expect(!result.err.contains("falling back") && !result.err.contains("'echo'"), "\(result.err)")
        }
        // With no memory model, the fix offered is a key or a memory model.
        #expect(try propose(setup).err.contains("or choose a memory model with `llm memory model ID`"))
        #expect(modelCalls(setup.log).count == 3, "each run asked scripted once, and nothing else")
    }

    @Test func aRateLimitFromTheProviderStaysATemporaryFailure() throws {
        let error = "Error code: 429 - {'error': {'message': 'Rate limit reached for scripted', 'type': 'requests', 'code': 'rate_limit_exceeded'}}"
        let setup = try setup(rules: [["match": "", "error": error]])
        defer { setup.sandbox.remove() }
        #expect(try run(Repo.llm, ["models", "default", "echo"], environment: setup.env).status == 0)

        let result = try propose(setup, ["--model", "scripted"])
        #expect(result.status == 75, "\(result.err)")
        #expect(result.err.contains("llm failed (exit 1, model scripted): Error: Error code: 429"), "\(result.err)")
        #expect(!result.err.contains("falling back"), "\(result.err)")
    }

    /// A stand-in llm (it records its pid, then sleeps where a slow model would answer): the
    /// real llm can take longer than the timeout just to start on a loaded machine.
    @Test func aModelThatTakesTooLongIsStoppedAndIsATemporaryFailure() throws {
        let setup = try setup(rules: [])
        defer { setup.sandbox.remove() }
        let pidFile = setup.sandbox.root.appendingPathComponent("llm.pid").path
        let slow = setup.sandbox.root.appendingPathComponent("slow-llm").path
        try writeExecutable(slow, "#!/bin/sh\necho $$ >'\(pidFile)'\nexec sleep 30\n")

        let result = try propose(setup, ["--timeout", "1", "--llm", slow, "--model", "slow"])
        #expect(result.status == 75)
        #expect(result.stdout.isEmpty)
        #expect(result.err.contains("did not answer within 1 s"))
        // Stopped, not waited for: the process that was still "thinking" is gone by the
        // time mem-propose has returned.
        let recorded = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try #require(Int32(recorded))
        #expect(kill(pid, 0) != 0 && errno == ESRCH, "the stand-in llm (pid \(pid)) is still running")
    }

    @Test func anUnknownModelIsExit69AndNoOtherModelIsAskedEvenWhenLlmHasADefault() throws {
        let reply = #"{"ops": [{"op": "add", "section": "Interests", "text": "Rust", "ex": 1}]}"#
        let setup = try setup(rules: [["match": "", "reply": reply]])
        defer { setup.sandbox.remove() }
        #expect(try run(Repo.llm, ["models", "default", "scripted"], environment: setup.env).status == 0)

        let result = try propose(setup, ["--model", "nonexistent-model"])
        #expect(result.status == 69, "\(result.err)")
        #expect(result.stdout.isEmpty)
        #expect(result.err.contains("mem-propose: model 'nonexistent-model' (--model) cannot be used (Error: 'Unknown model: nonexistent-model'); nothing was sent: choose another with --model"), "\(result.err)")
        #expect(modelCalls(setup.log).isEmpty, "the default model was not asked")
    }

    @Test func aModelWithoutAKeyIsExit69NamingTheKeyToSet() throws {
        let setup = try setup(rules: [])
        defer { setup.sandbox.remove() }
        let input = Self.exchangeLine(id: "k1", prompt: "I'm a Rust developer", model: "echo-needs-key", cursor: "r0.t1") + "\n"

        let result = try propose(setup, [], input: input)
        #expect(result.status == 69)
        #expect(result.stdout.isEmpty)
        #expect(result.err.contains("model 'echo-needs-key' cannot be used (Error: No key found"), "\(result.err)")
        #expect(result.err.contains("the exchanges held with it wait: set its key with `llm keys set echo-needs-key`, or choose a memory model with `llm memory model ID`"), "\(result.err)")
    }

    @Test func aMissingLlmExecutableIsExit69() throws {
        let setup = try setup(rules: [])
        defer { setup.sandbox.remove() }

        let byOption = try propose(setup, ["--llm", setup.sandbox.root.path + "/no-such-llm"])
        #expect(byOption.status == 69)
        #expect(byOption.stdout.isEmpty)
        #expect(byOption.err.contains("no-such-llm"))

        var env = setup.env
        env["LLM_MEMORY_LLM"] = "llm-that-is-not-installed"
        let byEnv = try run(Repo.tool("mem-propose"), [], stdin: Data(Self.twoExchanges.utf8), environment: env)
        #expect(byEnv.status == 69)
        #expect(byEnv.err.contains("llm-that-is-not-installed not found on PATH"))
    }

    @Test func noExchangesGiveAnEmptyDeltaWithoutCallingTheModel() throws {
        let setup = try setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }

        let result = try propose(setup, [], input: "")
        #expect(result.status == 0, "\(result.err)")
        let delta = try json(result)
        #expect((delta["ops"] as? [Any])?.isEmpty == true)
        #expect((delta["sources"] as? [Any])?.isEmpty == true)
        #expect(modelCalls(setup.log).isEmpty)
    }

    @Test func onlyToolResultFollowUpsNeedNoModelCallButStillMoveThrough() throws {
        let setup = try setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }

        let input = Self.exchangeLine(id: "t1", prompt: nil, response: "tool said 42", cursor: "r0.t7") + "\n"
        let result = try propose(setup, [], input: input)
        #expect(result.status == 0, "\(result.err)")
        let delta = try json(result)
        #expect(delta["sources"] as? [String] == ["t1"])
        #expect(delta["through"] as? String == "r0.t7")
        #expect(modelCalls(setup.log).isEmpty)
    }

    @Test func badExchangesAreExit65AndBadOptionsExit64() throws {
        let setup = try setup(rules: [])
        defer { setup.sandbox.remove() }

        let bad = try propose(setup, [], input: "{\"id\": \"x\", \"cursor\": \"r0.t1\"}\nnot json\n")
        #expect(bad.status == 65)
        #expect(bad.err.contains("mem-propose: exchanges line 2 is not valid JSON"))
        #expect(bad.stdout.isEmpty)

        #expect(try propose(setup, ["--no-such-option"]).status == 64)
        #expect(try propose(setup, ["--timeout", "0"]).status == 64)
        #expect(try propose(setup, ["--max-ops", "many"]).status == 64)
    }

    /// A stand-in `llm` that records its arguments, stdin and environment.
    func fakeLLM(in setup: Setup, reply: String) throws -> String {
        let script = setup.sandbox.root.appendingPathComponent("fake-llm")
        let dir = setup.sandbox.root.path
        try """
            #!/bin/sh
            printf '%s\\n' "$@" > '\(dir)/fake-args'
            cat > '\(dir)/fake-stdin'
            printf '%s' "${LLM_MEMORY_DISABLED:-unset}" > '\(dir)/fake-env'
            cat <<'EOF'
            \(reply)
            EOF
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script.path
    }

    func fakeFile(_ setup: Setup, _ name: String) -> String {
        (try? String(contentsOfFile: setup.sandbox.root.path + "/" + name, encoding: .utf8)) ?? ""
    }

    @Test func llmIsCalledAsPromptWithModelNoLogAndSystemWithThePromptOnStdinAndMemoryDisabled() throws {
        let setup = try setup(rules: [])
        defer { setup.sandbox.remove() }
        let llm = try fakeLLM(in: setup, reply: #"{"ops": [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 2}]}"#)

        let result = try propose(setup, ["--llm", llm])
        #expect(result.status == 0, "\(result.err)")
        let args = fakeFile(setup, "fake-args").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(args.prefix(5)) == ["prompt", "-m", "scripted", "--no-log", "-s"])
        #expect(args.dropFirst(5).joined(separator: "\n").contains("durable facts"))
        #expect(fakeFile(setup, "fake-stdin").contains("<exchange n=\"2\">"))
        #expect(fakeFile(setup, "fake-env") == "true")
        let ops = try #require(try json(result)["ops"] as? [[String: String]])
        #expect(ops.first?["source"] == "01JX0000000000000000000002")
    }

    @Test func theModelComesFromTheOptionThenTheEnvironmentThenTheMemoryModelFileThenTheExchanges() throws {
        let setup = try setup(rules: [])
        defer { setup.sandbox.remove() }
        let llm = try fakeLLM(in: setup, reply: "{\"ops\": []}")
        func modelUsed(_ arguments: [String], env extra: [String: String] = [:]) throws -> String? {
            var env = setup.env
            env["LLM_MEMORY_LLM"] = llm
            for (k, v) in extra { env[k] = v }
            let result = try run(Repo.tool("mem-propose"), arguments, stdin: Data(Self.twoExchanges.utf8), environment: env)
            #expect(result.status == 0, "\(result.err)")
            let args = fakeFile(setup, "fake-args").split(separator: "\n").map(String.init)
            #expect(try json(result)["model"] as? String == args[2])
            return args[2]
        }
        #expect(try modelUsed([]) == "scripted")
        try FileManager.default.createDirectory(atPath: setup.sandbox.memoryDir, withIntermediateDirectories: true)
        try "from-file\n".write(toFile: setup.sandbox.memory.model, atomically: true, encoding: .utf8)
        #expect(try modelUsed([]) == "from-file")
        #expect(try modelUsed([], env: ["LLM_MEMORY_MODEL": "from-env"]) == "from-env")
        #expect(try modelUsed(["--model", "from-option"], env: ["LLM_MEMORY_MODEL": "from-env"]) == "from-option")
    }

    @Test func theProfileIsReadFromTheOptionOrTheMemoryDirAndAMissingOneIsEmpty() throws {
        let setup = try setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }
        try FileManager.default.createDirectory(atPath: setup.sandbox.memoryDir, withIntermediateDirectories: true)
        try "## Personal Information\n- Role: Go developer\n".write(toFile: setup.sandbox.memory.profile,
                                                                  atomically: true, encoding: .utf8)
        let other = setup.sandbox.root.path + "/other.md"
        try "## Hobbies\n- Sailing\n".write(toFile: other, atomically: true, encoding: .utf8)

        #expect(try propose(setup).status == 0)
        #expect(try propose(setup, ["--profile", other]).status == 0)
        #expect(try propose(setup, ["--profile", setup.sandbox.root.path + "/missing.md"]).status == 0)
        let prompts = modelCalls(setup.log).compactMap { $0["prompt"] }
        #expect(prompts.count == 3)
        #expect(prompts[0].contains("- Role: Go developer"))
        #expect(prompts[1].contains("## Hobbies\n- Sailing"))
        #expect(!prompts[1].contains("Go developer"))
        #expect(prompts[2].contains("## Personal Information\n(no bullets yet)"))
    }
}

/// The gate, the `local` model and the budget, through the real mem-propose.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv: run scripts/setup-test-env.sh"))
struct ProposeGateLocalBudgetTests {
    let base = ProposeCommandTests()

    func lines(_ prompts: [(String, String?)]) -> String {
        prompts.enumerated().map { i, item in
            ProposeCommandTests.exchangeLine(id: item.0, prompt: item.1, response: "A reply that talks about Rust and Lisbon.",
                                             cursor: "r0.t\(i + 1)")
        }.joined(separator: "\n") + "\n"
    }

    @Test func theGateDropsExchangesThatSayNothingAboutTheUserButTheyStillCountAsRead() throws {
        let setup = try base.setup(rules: [["match": "", "reply": #"{"ops": [{"op": "add", "section": "Interests", "text": "Likes Rust", "ex": 1}]}"#]])
        defer { setup.sandbox.remove() }
        let input = lines([
            ("q1", "what is a monad?"),
            ("d1", "I like Rust a lot."),
            ("log", "2024-05-01 12:00:03 ERROR I/O error on /dev/sda, my_var = None\nTraceback (most recent call last):"),
            ("t1", nil),
        ])
        let result = try base.propose(setup, [], input: input)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err.contains("mem-propose: gate: 1 of 4 exchanges could say something about you\n"))
        let calls = base.modelCalls(setup.log)
        #expect(calls.count == 1)
        let prompt = try #require(calls.first?["prompt"])
        #expect(prompt.contains("<exchange n=\"1\">\n<user>\nI like Rust a lot."))
        #expect(!prompt.contains("monad") && !prompt.contains("I/O error") && !prompt.contains("<exchange n=\"2\">"))
        let delta = try base.json(result)
        #expect(delta["sources"] as? [String] == ["q1", "d1", "log", "t1"])
        #expect(delta["through"] as? String == "r0.t4")
        #expect((delta["ops"] as? [[String: String]])?.first?["source"] == "d1")
    }

    @Test func whenTheGateDropsEveryExchangeThereIsNoModelCallButTheBatchIsRead() throws {
        let setup = try base.setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }
        let prompts = (1...20).map { i in ("n\(i)", Optional(["what is a monad?", "How do I reverse a list in Python?",
                                                               "SELECT * FROM users WHERE id = \(i);", "thanks!"][i % 4])) }
        let result = try base.propose(setup, [], input: lines(prompts))
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err.contains("mem-propose: gate: 0 of 20 exchanges could say something about you; no model call"))
        #expect(base.modelCalls(setup.log).isEmpty)
        let delta = try base.json(result)
        #expect((delta["ops"] as? [Any])?.isEmpty == true)
        #expect((delta["sources"] as? [String])?.count == 20)
        #expect(delta["through"] as? String == "r0.t20")
    }

    @Test func noGateSendsEveryExchangeWithTypedText() throws {
        let setup = try base.setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }
        let result = try base.propose(setup, ["--no-gate"], input: lines([("q1", "what is a monad?"), ("t1", nil), ("d1", "I like Rust.")]))
        #expect(result.status == 0, "\(result.err)")
        #expect(!result.err.contains("gate:"))
        let prompt = try #require(base.modelCalls(setup.log).first?["prompt"])
        #expect(prompt.contains("<exchange n=\"1\">\n<user>\nwhat is a monad?"))
        #expect(prompt.contains("<exchange n=\"2\">\n<user>\nI like Rust."))
    }

    @Test func theLocalModelProposesWithoutLlmOrNetworkAndSaysModelLocal() throws {
        let setup = try base.setup(rules: [])
        defer { setup.sandbox.remove() }
        try FileManager.default.createDirectory(atPath: setup.sandbox.memoryDir, withIntermediateDirectories: true)
        try "## Personal Information\n- Role: Go developer\n- Uses Vim\n".write(toFile: setup.sandbox.memory.profile,
                                                                           atomically: true, encoding: .utf8)
        // Written by hand before the exchanges (2025-06-01), or "the present wins" would keep
        // mem-merge from replacing its bullets with what they say.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_577_836_800)],
                                              ofItemAtPath: setup.sandbox.memory.profile)
        let input = lines([("d1", "I'm a Rust developer and I live in Lisbon"), ("q1", "what is a monad?"),
                           ("d2", "I prefer short answers"), ("d3", "I switched from Vim to Neovim")])
        // No llm at all: the option names a program that does not exist.
        let result = try base.propose(setup, ["--model", "local", "--llm", setup.sandbox.root.path + "/no-such-llm"], input: input)
        #expect(result.status == 0, "\(result.err)")
        let delta = try base.json(result)
        #expect(delta["model"] as? String == "local")
        #expect(delta["sources"] as? [String] == ["d1", "q1", "d2", "d3"])
        #expect(delta["through"] as? String == "r0.t4")
        let ops = try #require(delta["ops"] as? [[String: String]])
        let time = "2025-06-01T10:00:00"
        #expect(ops == [
            ["op": "replace", "section": "Personal Information", "old": "Role: Go developer", "text": "Role: Rust developer", "source": "d1", "source_time": time],
            ["op": "add", "section": "Personal Information", "text": "Lives in Lisbon", "source": "d1", "source_time": time],
            ["op": "add", "section": "Preferences", "text": "Prefers short answers", "source": "d2", "source_time": time],
            ["op": "replace", "section": "Personal Information", "old": "Uses Vim", "text": "Uses Neovim", "source": "d3", "source_time": time],
        ])
        #expect(base.modelCalls(setup.log).isEmpty)

        // The same through LLM_MEMORY_MODEL, and its delta merges.
        var env = setup.env
        env["LLM_MEMORY_MODEL"] = "local"
        let byEnv = try run(Repo.tool("mem-propose"), [], stdin: Data(input.utf8), environment: env)
        #expect(byEnv.status == 0, "\(byEnv.err)")
        #expect(byEnv.stdout == result.stdout)
        let merged = try run(Repo.tool("mem-merge"), [], stdin: byEnv.stdout, environment: env)
        #expect(merged.status == 0, "\(merged.err)")
        #expect(merged.out.contains("- Role: Rust developer\n- Uses Neovim\n- Lives in Lisbon\n"))
        #expect(merged.out.contains("## Preferences\n\n- Prefers short answers") || merged.out.contains("## Preferences\n- Prefers short answers"))
    }

    @Test func theLocalModelCarriesOpsOverTheLimitToTheNextPassToo() throws {
        let setup = try base.setup(rules: [])
        defer { setup.sandbox.remove() }
        let input = lines([("d1", "I live in Lisbon."), ("d2", "I'm learning Japanese."), ("d3", "I prefer short answers.")])
        let result = try base.propose(setup, ["--model", "local", "--max-ops", "2"], input: input)
        #expect(result.status == 0, "\(result.err)")
        let delta = try base.json(result)
        #expect(delta["sources"] as? [String] == ["d1", "d2"])
        #expect((delta["ops"] as? [[String: String]])?.compactMap { $0["source"] } == ["d1", "d2"])
        #expect(result.err.contains("carried over: the 1 exchange from d3 on is proposed again in the next pass"), "\(result.err)")
    }

    @Test func theBudgetTakesExchangesWhileTheyFitAndLeavesTheRest() throws {
        let setup = try base.setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }
        let long = String(repeating: "I use Rust for embedded work. ", count: 10)  // 299 characters once trimmed
        // Each sent exchange: 299 + the 41-character reply = 340 characters.
        let input = lines([("a", long), ("q", "what is a monad?"), ("b", long), ("c", long), ("d", long)])
        let result = try base.propose(setup, ["--budget", "700"], input: input)
        #expect(result.status == 0, "\(result.err)")
        let delta = try base.json(result)
        #expect(delta["sources"] as? [String] == ["a", "q", "b"])
        #expect(delta["through"] as? String == "r0.t3")
        #expect(result.err.contains("mem-propose: budget: sending 2 exchanges (680 of 700 characters); the 2 after them are left for the next pass"))
        let prompt = try #require(base.modelCalls(setup.log).first?["prompt"])
        #expect(prompt.contains("<exchange n=\"2\">") && !prompt.contains("<exchange n=\"3\">"))

        // LLM_MEMORY_BUDGET, when there is no option; the first exchange always fits.
        var env = setup.env
        env["LLM_MEMORY_BUDGET"] = "10"
        let tiny = try run(Repo.tool("mem-propose"), [], stdin: Data(input.utf8), environment: env)
        #expect(tiny.status == 0, "\(tiny.err)")
        #expect(try base.json(tiny)["sources"] as? [String] == ["a", "q"])
        env["LLM_MEMORY_BUDGET"] = "lots"
        #expect(try run(Repo.tool("mem-propose"), [], stdin: Data(input.utf8), environment: env).status == 64)
        #expect(try base.propose(setup, ["--budget", "0"], input: input).status == 64)
    }
}

/// Where the exchanges go (C4) and what the request says about time, through the real
/// mem-propose and llm 0.36.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv: run scripts/setup-test-env.sh"))
struct ProposeModelRouteTests {
    let base = ProposeCommandTests()

    @Test func exchangesOfTwoModelsAreNeverSentInOneCallEachGoesToItsOwn() throws {
        let setup = try base.setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }
        let records = [
            ProposeCommandTests.exchangeLine(id: "s1", prompt: "I'm a Rust developer.", model: "scripted", cursor: "r0.t1"),
            ProposeCommandTests.exchangeLine(id: "q1", prompt: "what is a monad?", model: "echo", cursor: "r0.t2"),
            ProposeCommandTests.exchangeLine(id: "e1", prompt: "I live in Lisbon.", model: "echo", cursor: "r0.t3"),
            ProposeCommandTests.exchangeLine(id: "s2", prompt: "I prefer short answers.", model: "scripted", cursor: "r0.t4"),
        ]
        var remaining = records[...]
        var deltas: [[String: Any]] = []
        var stderr = ""
        while !remaining.isEmpty, deltas.count < 5 {
            let result = try base.propose(setup, [], input: remaining.joined(separator: "\n") + "\n")
            #expect(result.status == 0, "\(result.err)")
            stderr += result.err
            let delta = try base.json(result)
            deltas.append(delta)
            remaining = remaining.dropFirst((delta["sources"] as? [String])?.count ?? records.count)
        }
        // The gate-dropped question goes along with the first call: it is read, never sent.
        #expect(deltas.map { $0["sources"] as? [String] ?? [] } == [["s1", "q1"], ["e1"], ["s2"]])
        #expect(deltas.map { $0["model"] as? String ?? "" } == ["scripted", "echo", "scripted"])
        #expect(stderr.contains("model: the 2 exchanges from e1 on go to another model ('echo') in the next pass; one call never mixes models"), "\(stderr)")
        let prompts = base.modelCalls(setup.log).compactMap { $0["prompt"] }
        #expect(prompts.count == 2, "scripted got two calls; echo answered the third")
        #expect(prompts[0].contains("I'm a Rust developer.") && !prompts[0].contains("Lisbon") && !prompts[0].contains("short answers"))
        #expect(prompts[1].contains("I prefer short answers.") && !prompts[1].contains("Lisbon") && !prompts[1].contains("Rust"))
    }

    @Test func anExchangeWithNoModelRecordedIsReadByTheOfflineExtractorAndSentNowhere() throws {
        let setup = try base.setup(rules: [])
        defer { setup.sandbox.remove() }
        let input = ProposeCommandTests.exchangeLine(id: "n1", prompt: "I live in Lisbon.", model: nil, cursor: "r0.t1") + "\n"
        // No llm at all: nothing could be sent.
        let result = try base.propose(setup, ["--llm", setup.sandbox.root.path + "/no-such-llm"], input: input)
        #expect(result.status == 0, "\(result.err)")
        let delta = try base.json(result)
        #expect(delta["model"] as? String == "local")
        #expect((delta["ops"] as? [[String: String]])?.map { $0["text"] } == ["Lives in Lisbon"])
        #expect(result.err.contains("no model recorded, so the built-in offline extractor reads it (nothing is sent)"))
    }

    @Test func aMemoryModelTakesEveryExchangeWhateverModelItWasHeldWith() throws {
        let setup = try base.setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }
        let input = [
            ProposeCommandTests.exchangeLine(id: "e1", prompt: "I live in Lisbon.", model: "echo", cursor: "r0.t1"),
            ProposeCommandTests.exchangeLine(id: "n1", prompt: "I'm a Rust developer.", model: nil, cursor: "r0.t2"),
        ].joined(separator: "\n") + "\n"
        try FileManager.default.createDirectory(atPath: setup.sandbox.memoryDir, withIntermediateDirectories: true)
        try "scripted\n".write(toFile: setup.sandbox.memory.model, atomically: true, encoding: .utf8)
        let result = try base.propose(setup, [], input: input)
        #expect(result.status == 0, "\(result.err)")
        #expect(try base.json(result)["sources"] as? [String] == ["e1", "n1"])
        let prompt = try #require(base.modelCalls(setup.log).first?["prompt"])
        #expect(prompt.contains("I live in Lisbon.") && prompt.contains("I'm a Rust developer."))
    }

    @Test func theRequestHoldsTodaysDateAndEachExchangesDateAndOpsCarryTheirSourceTime() throws {
        let reply = #"{"ops": [{"op": "add", "section": "Current Projects", "text": "Thesis due March 2027", "ex": 2}]}"#
        let setup = try base.setup(rules: [["match": "", "reply": reply]])
        defer { setup.sandbox.remove() }
        let input = [
            ProposeCommandTests.exchangeLine(id: "d1", prompt: "I live in Lisbon.", cursor: "r0.t1", datetime: "2026-05-04T09:15:02.123456+00:00"),
            ProposeCommandTests.exchangeLine(id: "d2", prompt: "My thesis is due next March.", cursor: "r0.t2", datetime: "2026-06-30T08:00:00.5+00:00"),
        ].joined(separator: "\n") + "\n"
        let before = Self.todayUTC()
        let result = try base.propose(setup, [], input: input)
        let after = Self.todayUTC()
        #expect(result.status == 0, "\(result.err)")
        let call = try #require(base.modelCalls(setup.log).first)
        let prompt = try #require(call["prompt"])
        #expect(prompt.hasPrefix("Today is \(before).") || prompt.hasPrefix("Today is \(after)."), "\(prompt.prefix(40))")
        #expect(prompt.contains("[1] 2026-05-04\n<exchange n=\"1\">"))
        #expect(prompt.contains("[2] 2026-06-30\n<exchange n=\"2\">"))
        #expect(call["system"]?.contains("absolute dates") == true)
        let ops = try #require(try base.json(result)["ops"] as? [[String: String]])
        #expect(ops.first?["source_time"] == "2026-06-30T08:00:00.5+00:00")
    }

    static func todayUTC() -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date())
    }
}
