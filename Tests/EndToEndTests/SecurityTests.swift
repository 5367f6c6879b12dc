import Foundation
import MemKit
import Testing
import TestKit

#if canImport(Glibc)
import Glibc
#endif

/// Security guarantees of the memory dir and the porcelain: private modes, temp files that
/// cannot be redirected by a planted symlink, prompt text that is never run as shell code,
/// a lock that deleting files cannot steal, and secrets that never leave the conversation.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"))
struct SecurityTests {
    // MARK: - Temp files

    /// The porcelain's temp files used fixed names (`fragment.md.tmp`, `last-update.tmp`,
    /// `llm-commands.tmp`) written with shell `>`, which follows a symlink planted at that
    /// name. They are now made with mktemp (O_EXCL, random name) and renamed.
    @Test func aSymlinkPlantedAtATempFileNameIsNeverWrittenThrough() throws {
        let user = try GuardUser()
        defer { user.remove() }
        try user.setRules([["match": "", "reply": GuardUser.delta(adding: "Role: Rust developer")]])
        try user.logFirstExchange()
        try FileManager.default.createDirectory(atPath: user.dir, withIntermediateDirectories: true)
        let victim = user.path("victim.txt")
        let original = Data("precious, not to be overwritten\n".utf8)
        try original.write(to: URL(fileURLWithPath: victim))
        // The fixed names the porcelain writes or wrote, and the flags it creates.
        let names = ["fragment.md.tmp", "last-update.tmp", "llm-commands.tmp", "fragment.md.tmp.1", "cursor.tmp",
                     ".fragment.md.tmp", "profile.md.tmp", "update.again", ".edit.md", "watch.pid"]
        /// Plants the symlinks again (a command may have removed some) before each command.
        func plant(_ extra: [String] = []) throws {
            for name in names + extra {
                let link = user.dir + "/" + name
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil {
                    try? FileManager.default.removeItem(atPath: link)
                    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
                }
            }
        }
        func porcelain(_ args: [String], env: [String: String] = [:], extra: [String] = []) throws -> RunResult {
            try plant(extra)
            return try user.porcelain(args, env: env)
        }
        // Every command that writes a file in the memory dir: an update (fragment, last-update),
        // a failed one (last-update), render, the command cache, edit (its draft), pause (its
        // flag), a call that finds the lock held (its note), a detached update (the log).
        #expect(try porcelain(["update"]).status == 0)
        #expect(try user.logPrompt("Remember that I like tea").status == 0)
        #expect(try porcelain(["update"], env: ["LLM_MEMORY_LLM": "/nonexistent/llm"]).status == 69)
        #expect(try porcelain(["render"]).status == 0)
        #expect(try porcelain(["llm-commands", "--refresh"]).status == 0)
        let append = try user.script("append.sh", "printf -- '- Likes tea\\n' >>\"$1\"")
        let edit = try porcelain(["edit"], env: ["EDITOR": append])
        #expect(edit.status == 0, "\(edit.err)")
        #expect(try porcelain(["pause"], extra: ["paused"]).status == 0)
        #expect(try porcelain(["resume"]).status == 0)
        let holder = try UpdateLockHolder(dir: user.dir, sandbox: user.sandbox)
        #expect(try porcelain(["update"]).err.contains("already running"))
        holder.release()
        #expect(try porcelain(["update", "--detached"]).status == 0)
        #expect(try porcelain(["status"]).status == 0)

        #expect(FileManager.default.contents(atPath: victim) == original, "the symlinks' target was written through")
        let profile = user.read(user.profilePath) ?? ""
        #expect(profile.contains("- Role: Rust developer\n") && profile.contains("- Likes tea\n"), "\(profile)")
        #expect(user.read(user.memory.fragment)?.contains("Role: Rust developer") == true)
        #expect(user.read(user.dir + "/llm-commands")?.contains("logs") == true)
        // No temp file is left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: user.dir)
            .filter { $0.hasPrefix(".") || $0.contains("tmp") }
            .filter { name in !names.contains(name) && name != "paused" }
        #expect(left.isEmpty, "left behind: \(left)")
    }

    /// The Swift side: the profile's temp file and the history copies are created with
    /// O_EXCL. Their names are predictable inside this process (its pid, this second), so a
    /// symlink can be planted at every name they would try first.
    @Test func theToolsTempAndHistoryFilesAreCreatedExclusively() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let dir = sandbox.root.appendingPathComponent("memory").path
        try FileManager.default.createDirectory(atPath: dir + "/history", withIntermediateDirectories: true)
        let victim = sandbox.root.appendingPathComponent("victim.txt").path
        let original = Data("precious\n".utf8)
        try original.write(to: URL(fileURLWithPath: victim))
        let profile = dir + "/profile.md"
        try Data("## Interests\n- Chess\n".utf8).write(to: URL(fileURLWithPath: profile))
        let pid = getpid()
        for attempt in 0..<3 {
            for name in ["profile.md", "cursor"] {
                try FileManager.default.createSymbolicLink(atPath: "\(dir)/.\(name).tmp-\(pid)-\(attempt)", withDestinationPath: victim)
            }
        }
        // History names for this second and the next few (the merge may cross a second).
        let now = time(nil)
        for offset in 0..<5 {
            var t = now + offset
            var parts = tm()
            gmtime_r(&t, &parts)
            let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                               parts.tm_hour, parts.tm_min, parts.tm_sec)
            for n in 1...3 {
                try FileManager.default.createSymbolicLink(atPath: "\(dir)/history/profile-\(stamp)-\(n).md", withDestinationPath: victim)
            }
        }
        let recorder = ChangeRecorder(profilePath: profile)
        let store = recorder.store
        let delta = Delta(ops: [DeltaOp(kind: .add, section: "Interests", text: "Sailing")], sources: ["x"], through: "r0.t1")
        try recorder.mergeInPlace(delta)
        try recorder.replaceProfile(with: Array("## Interests\n- Go\n".utf8), action: "load")

        #expect(FileManager.default.contents(atPath: victim) == original)
        #expect(FileManager.default.contents(atPath: profile) == Data("## Interests\n- Go\n".utf8))
        #expect(FileManager.default.contents(atPath: dir + "/cursor") == Data("r0.t1\n".utf8))
        let kept = store.historyVersions().compactMap { FileManager.default.contents(atPath: dir + "/history/" + $0) }
        #expect(kept.contains(Data("## Interests\n- Chess\n".utf8)))
        #expect(kept.contains(Data("## Interests\n- Chess\n- Sailing\n".utf8)))
    }

    // MARK: - Shell metacharacters

    /// Prompts (and so model replies, profile bullets, error messages) full of shell syntax
    /// go through update, status, show, render, the log of a detached update and a failing
    /// model's error message: nothing is ever evaluated.
    @Test func promptTextWithShellMetacharactersIsNeverEvaluated() throws {
        let user = try GuardUser()
        defer { user.remove() }
        try user.setUpMemory()
        let tag = UUID().uuidString.prefix(8)
        let markers = (1...9).map { "/tmp/pwned-\(tag)-\($0)" }
        let hostile = [
            "$(touch \(markers[0]))", "`touch \(markers[1])`", "; touch \(markers[2]);", "| touch \(markers[3])",
            "&& touch \(markers[4]) #", "'; touch \(markers[5]); '", "\"; touch \(markers[6]); \"",
            "$(IFS=_;cmd=touch_\(markers[7]);$cmd)", "\n$(touch \(markers[8]))\n; rm -rf \"$HOME\"",
        ]
        for text in [hostile[0...2].joined(separator: " "), hostile[3...5].joined(separator: " "), hostile[6...8].joined(separator: " ")] {
            // The first line gets past the gate (the shell code alone is code-shaped and would not).
            #expect(try user.logPrompt("Remember that I use zsh with these aliases:\n\(text)").status == 0)
        }
        // The model's reply puts the same text into bullets and a section name.
        let ops: [[String: Any]] = hostile.enumerated().map { i, text in
            ["op": "add", "section": i == 0 ? "Shell $(touch \(markers[0]))" : "Preferences", "text": "Alias \(i): \(text)", "ex": 1]
        }
        try user.setRules([["match": "", "reply": String(decoding: try JSONSerialization.data(withJSONObject: ["ops": ops]), as: UTF8.self)]])
        let update = try user.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)\n\(user.read(user.modelLogPath) ?? "")")
        #expect(user.read(user.profilePath)?.contains("Alias 1: `touch \(markers[1])`") == true, "\(user.read(user.profilePath) ?? "")")
        for args in [["status"], ["show"], ["render"], ["path"], ["update", "--detached"], ["status"]] {
            let result = try user.porcelain(args)
            #expect(result.status == 0, "\(args): \(result.err)\n\(user.read(user.memory.updateLog) ?? "")")
        }
        // A failing model whose error message is shell code: it lands in last-update and status.
        #expect(try user.logPrompt("Remember that I use zsh").status == 0)
        try user.setRules([["match": "", "error": "boom $(touch \(markers[0])) `touch \(markers[1])`; touch \(markers[2])"]])
        let failed = try user.porcelain(["update"])
        #expect(failed.status == 75)
        let status = try user.porcelain(["status"])
        #expect(status.out.contains("boom $(touch \(markers[0])) `touch \(markers[1])`; touch \(markers[2])"), "\(status.out)")
        #expect(try user.porcelain(["update", "--detached"]).status == 75, "a detached update ends with the update's status")
        #expect(user.read(user.memory.updateLog)?.contains("$(touch \(markers[0]))") == true)
        for marker in markers {
            #expect(!FileManager.default.fileExists(atPath: marker), "\(marker) was created: shell code ran")
        }
        #expect(FileManager.default.fileExists(atPath: user.sandbox.home), "HOME is still there")
    }

    // MARK: - The lock

    /// The update lock is a flock on the memory dir itself: deleting every file in it,
    /// creating files with lock-like names, or replacing the note does not free it.
    @Test func theUpdateLockCannotBeStolenByDeletingOrRecreatingFiles() throws {
        let user = try GuardUser()
        defer { user.remove() }
        try user.setRules([["match": "", "reply": GuardUser.delta(adding: "Role: Rust developer")]])
        try user.setUpMemory()
        try user.logFirstExchange()
        #expect(try user.porcelain(["update"]).status == 0)
        #expect(try user.logPrompt("Remember that I like tea").status == 0)
        let calls = user.modelCalls()

        let holder = try UpdateLockHolder(dir: user.dir, sandbox: user.sandbox)
        defer { holder.release() }
        // Everything inside the memory dir goes, and lock-like files appear.
        let wipe = try run("/bin/sh", ["-c", #"cd "$1" && rm -rf -- * .[!.]* && : >lock && : >update.lock && : >.lock && mkdir -p history"#,
                                        "sh", user.dir], environment: user.environment)
        #expect(wipe.status == 0, "\(wipe.err)")
        for _ in 0..<3 {
            let second = try user.porcelain(["update"])
            #expect(second.status == 0)
            #expect(second.err.contains("an update is already running"), "\(second.err)")
            #expect(user.modelCalls() == calls, "the second update did not run")
        }
        holder.release()
        // Free again: the next update runs. The wipe took memory's starting point too, so
        // it fixes a new one (as a first update does) and learns what comes after it.
        let after = try user.porcelain(["update"])
        #expect(after.status == 0, "\(after.err)")
        #expect(FileManager.default.fileExists(atPath: user.sandbox.memory.origin) && user.cursor() == user.newestCursor())
        #expect(try user.logPrompt("Remember that I like coffee").status == 0)
        #expect(try user.porcelain(["update"]).status == 0)
        #expect(user.modelCalls() > calls)
    }

    // MARK: - Modes

    /// The plumbing run by hand, under umask 000, still makes the memory dir 0700 and every
    /// file 0600 (the porcelain sets umask 077 itself, so its own test cannot see this), and
    /// a memory dir that exists with loose modes is tightened.
    @Test func thePlumbingUnderUmask000StillWritesPrivateFilesAndTightensALooseMemoryDir() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        var env = sandbox.environment
        let dir = sandbox.memoryDir
        env["LLM_MEMORY_DIR"] = dir
        func loose(_ tool: String, _ args: [String], stdin: String) throws -> RunResult {
            try run("/bin/sh", ["-c", "umask 000; exec \"$@\"", "sh", Repo.tool(tool)] + args, stdin: Data(stdin.utf8), environment: env)
        }
        let delta = #"{"ops": [{"op": "add", "section": "Interests", "text": "Chess"}], "sources": ["a"], "through": "r0.t1"}"#
        #expect(try loose("mem-merge", ["--in-place"], stdin: delta).status == 0)
        let second = #"{"ops": [{"op": "add", "section": "Interests", "text": "Go"}], "sources": ["b"], "through": "r0.t2"}"#
        #expect(try loose("mem-merge", ["--in-place"], stdin: second).status == 0)
        let loadFile = sandbox.root.appendingPathComponent("load.md").path
        try Data("## Interests\n- Sailing\n".utf8).write(to: URL(fileURLWithPath: loadFile))
        #expect(try loose("mem-merge", ["--in-place", "--load", loadFile], stdin: "").status == 0)
        #expect(try loose("mem-merge", ["--in-place", "--clear"], stdin: "").status == 0)
        GuardUser.expectPrivate(dir)

        // A memory dir made world-readable by hand is tightened by the next write.
        #expect(chmod(dir, 0o777) == 0)
        #expect(chmod(dir + "/history", 0o755) == 0)
        #expect(try loose("mem-merge", ["--in-place"], stdin: delta).status == 0)
        GuardUser.expectPrivate(dir)
    }

    // MARK: - Secrets

    /// Found by the test below: the echo model's reply (and any pasted JSON string) holds
    /// the prompt JSON-escaped, so a key follows `\n` and a password sits between `\"`s.
    @Test func secretsInJSONEscapedTextAreRedacted() {
        let key = "sk-" + "proj-" + "T3stK3yAbCdEfGhIjKlMnOpQrStUvWx0123"
        let aws = "AKIA" + "T3STAWSKEY012345"
        let cases = [
            ("{\"prompt\": \"my .env:\\n```\\n\(key)\\n```\"}", "T3stK3y"),
            ("line one\\n\(aws)\\tmore", "T3STAWS"),
            ("{\"prompt\": \"config {\\\"passwd\\\": \\\"T3stJsonPass#42\\\"}\"}", "T3stJsonPass"),
            ("\"system\": \"Credentials: {\\\"apiKey\\\": \\\"T3stJsonApiKey0123456789XYZ\\\"}\"", "T3stJsonApiKey"),
            ("\\\"authorization\\\": \\\"Bearer T3stBearerT0ken.abcDEF123456\\\"", "T3stBearer"),
        ]
        for (text, core) in cases {
            let redacted = Redactor.redact(text)
            #expect(!redacted.contains(core), "\(text) → \(redacted)")
            #expect(redacted.contains("[REDACTED"), "\(text) → \(redacted)")
        }
        // Escapes alone change nothing.
        #expect(Redactor.redact(#"a\nb \"quoted\" \tsk-short"#) == #"a\nb \"quoted\" \tsk-short"#)
    }

    /// 50 exchanges logged through the real llm (echo model, which repeats the prompt in its
    /// reply), each holding a secret of one of the kinds the redactor knows, in prose, code,
    /// env files, JSON, headers, URLs and system prompts. After updates (one of them
    /// detached, logging) with a model whose reply tries to write every secret back into
    /// the profile, no secret is in what the model received, the profile, the history, the
    /// journal, the fragment, last-update, the update log, or any output.
    @Test func noSecretFromAConversationReachesTheModelTheProfileTheHistoryOrTheLogs() throws {
        let user = try GuardUser()
        defer { user.remove() }
        try user.setUpMemory()
        let secrets = SecretCorpus.secrets
        #expect(secrets.count >= 25)
        let exchanges = SecretCorpus.exchanges
        #expect(exchanges.count == 50)
        // Two through the CLI itself (one with the secret in the system prompt, one on stdin),
        // the other 48 through llm's Python API in one process, as the CLI logs them.
        let cli = [exchanges[0], exchanges[1]]
        #expect(try run(Repo.llm, ["-m", "echo", "-s", cli[0].system ?? "", cli[0].prompt], environment: user.environment).status == 0)
        #expect(try run(Repo.llm, ["-m", "echo"], stdin: Data(cli[1].prompt.utf8), environment: user.environment).status == 0)
        let script = user.path("log_exchanges.py")
        try Data(SecretCorpus.loggerScript.utf8).write(to: URL(fileURLWithPath: script))
        let rest = Array(exchanges.dropFirst(2)).map { ["prompt": $0.prompt, "system": $0.system as Any] }
        let logged = try run(user.python, [script, user.sandbox.logsDB], stdin: try JSONSerialization.data(withJSONObject: rest),
                             environment: user.environment)
        #expect(logged.status == 0, "\(logged.err)")
        #expect(logged.out.split(separator: "\n").count == 48)

        // The model answers every call with ops that carry each secret back, plus one honest op.
        var ops: [[String: Any]] = [["op": "add", "section": "Personal Information", "text": "Uses Postgres", "ex": 1]]
        for (i, secret) in secrets.enumerated() {
            ops.append(["op": "add", "section": i % 2 == 0 ? "Personal Information" : "Preferences", "text": secret.text, "ex": 1])
            ops.append(["op": "add", "section": "Current Projects", "text": "Deploys with \(secret.text) daily", "ex": 2])
        }
        ops.append(["op": "add", "section": "Personal Information", "text": "Key: [REDACTED:openai-key]", "ex": 1])
        try user.setRules([["match": "", "reply": String(decoding: try JSONSerialization.data(withJSONObject: ["ops": ops]), as: UTF8.self)]])

        let update = try user.porcelain(["update"])
        #expect(update.status == 0, "\(update.err)")
        // Everything was read: the cursor is at the newest exchange.
        #expect(user.cursor() == user.newestCursor())
        let calls = user.modelCallRecords()
        #expect(!calls.isEmpty)
        let sent = calls.map { ($0["prompt"] ?? "") + "\n" + ($0["system"] ?? "") }.joined(separator: "\n")
        let exchangesSent = sent.components(separatedBy: "<exchange n=").count - 1
        #expect(exchangesSent == 50, "every exchange reached the model (redacted)")
        #expect(sent.components(separatedBy: "[REDACTED").count - 1 >= 50, "the redactor marked what it removed")
        #expect(user.read(user.profilePath)?.contains("- Uses Postgres") == true, "the honest op was applied")

        // A detached (logged) update over two more exchanges, one with a secret.
        ops[0] = ["op": "add", "section": "Personal Information", "text": "Uses Redis", "ex": 1]
        try user.setRules([["match": "", "reply": String(decoding: try JSONSerialization.data(withJSONObject: ["ops": ops]), as: UTF8.self)]])
        #expect(try user.logPrompt("Remember that I use Redis; my token is \(secrets[0].text)").status == 0)
        #expect(try user.logPrompt("Remember: DB url postgres://me:\(secrets[21].core)@db.internal/app").status == 0)
        #expect(try user.porcelain(["update", "--detached"]).status == 0)
        #expect(user.cursor() == user.newestCursor())
        // And a model that fails with a secret in its error message (llm's error is redacted).
        #expect(try user.logPrompt("Remember that I use Kafka").status == 0)
        try user.setRules([["match": "", "error": "upstream rejected key \(secrets[0].text) for https://u:\(secrets[21].core)@api.example.com"]])
        let failed = try user.porcelain(["update", "--detached"])
        #expect(failed.status == 75, "the detached update's status is the update's")
        let status = try user.porcelain(["status"])
        let show = try user.porcelain(["show"])

        var places: [(String, String)] = [
            ("what the model received", user.read(user.modelLogPath) ?? ""),
            ("update output", update.out + update.err),
            ("status", status.out + status.err),
            ("show", show.out),
        ]
        for file in user.allFiles() {
            places.append((file, user.read(user.dir + "/" + file) ?? ""))
        }
        #expect(places.contains { $0.0 == "log/updates.log" } && places.contains { $0.0 == "history/journal.jsonl" })
        #expect(places.contains { $0.0.hasPrefix("history/profile-") })
        var leaks: [String] = []
        for (place, text) in places {
            for secret in secrets where text.contains(secret.core) {
                leaks.append("\(secret.kind) in \(place)")
            }
            if text.contains("T3st") { leaks.append("a T3st… value in \(place)") }
        }
        #expect(leaks.isEmpty, "leaks: \(leaks)")
        print("secrets: \(secrets.count) kinds planted in \(exchanges.count + 2) exchanges; \(leaks.count) leaks in \(places.count) places checked")
    }
}

// MARK: - Secrets planted in conversations

/// Fake secrets of every kind the redactor knows. Each `core` — the part that must never
/// be seen again — contains "T3st" (or is base64 of text containing it), so any leak shows.
/// Built from pieces so that no scanner mistakes this file for one holding real keys.
enum SecretCorpus {
    struct Secret {
        var kind: String
        /// The secret as it appears in a conversation.
        var text: String
        /// The part that must never leave.
        var core: String
    }

    static let secrets: [Secret] = {
        func s(_ kind: String, _ prefix: String, _ core: String, _ suffix: String = "") -> Secret {
            Secret(kind: kind, text: prefix + core + suffix, core: core)
        }
        return [
            s("openai-project", "sk-" + "proj-", "T3stK3yAbCdEfGhIjKlMnOpQrStUvWx0123"),
            s("openai-legacy", "sk-", "T3stLegacyKey0123456789abcdefGHIJKLMNOP"),
            s("anthropic", "sk-" + "ant-api03-", "T3stAnthr0picKeyAbCdEf0123456789-xyzXYZ"),
            s("google", "AIza", "SyT3stG00gleKeyAbCdEfGhIjKlMnOpQr0"),
            s("github-classic", "ghp" + "_", "T3stGitHubTokenAbCdEf0123456789abcdef"),
            s("github-fine-grained", "github" + "_pat_", "11T3stFineGrained0123_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQ"),
            s("gitlab", "glpat" + "-", "T3stGitLabTok3n12345"),
            s("slack-bot", "xoxb" + "-", "123456789012-1234567890123-T3stSlackTokenAbCdEf"),
            s("slack-app", "xapp" + "-", "1-A0123456789-1234567890123-T3stabcdef0123456789abcdef"),
            s("aws-access-key", "AKIA", "T3STAWSKEY012345"),
            s("aws-secret", "aws_secret_access_key = ", "T3stAwsSecretKey/0123456789+abcdefGHIJKL"),
            s("stripe-live", "sk" + "_live_", "T3stStripeKey0123456789ab"),
            s("stripe-restricted", "rk" + "_test_", "T3stStripeRk0123456789abcd"),
            s("hugging-face", "hf" + "_", "T3stHuggingFaceTokenAbCdEfGhIjKlMn"),
            s("npm", "npm" + "_", "T3stNpmToken0123456789abcdefghijklmno"),
            s("bearer", "Authorization: Bearer ", "T3stBearerT0ken.abcDEF123456"),
            s("basic-auth", "Authorization: Basic ", "dXNlcjpUM3N0QmFzaWNQYXNzd29yZA=="),
            s("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJUM3N0Snd0VXNlciJ9.", "T3stJwtSignature_abcDEF0123456789"),
            s("private-key", "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEpAIBAAKCAQEA", "T3stPrivateKeyBody0123456789abcdefABCDEF",
              "\nQ2hlY2tzdW0=\n-----END RSA " + "PRIVATE KEY-----"),
            s("password-assignment", "password=", "T3st!Passw0rd"),
            s("json-passwd", "{\"passwd\": \"", "T3stJsonPass#42", "\"}"),
            s("url-credentials", "postgres://admin:", "T3stUrlPass77", "@db.example.com:5432/app"),
            s("env-db-password", "DB_PASSWORD: ", "T3stDbPass_99"),
            s("generic-api-key", "MY_SERVICE_API_KEY=", "T3stGenericKey0123456789abc"),
            s("json-api-key", "{\"apiKey\": \"", "T3stJsonApiKey0123456789XYZ", "\"}"),
            s("spoken-password", "my password is ", "T3stSp0ken!pw"),
            s("client-secret", "client_secret: ", "T3stClientSecret0123456789abcdef"),
        ]
    }()

    struct Planted {
        var prompt: String
        var system: String?
    }

    /// 50 exchanges: each secret in two different settings.
    static let exchanges: [Planted] = {
        let settings: [(Secret) -> Planted] = [
            { Planted(prompt: "Remember that I deploy my app with this: \($0.text) and I use Postgres.", system: nil) },
            { Planted(prompt: "I keep this in my .env file, remember it:\n```\n\($0.text)\n```\nwhy does my deploy fail?", system: nil) },
            { Planted(prompt: "remember my config {\"service\": \"billing\", \"credential\": \"\($0.text)\"} please", system: nil) },
            { Planted(prompt: "Remember that I run curl -H '\($0.text)' against our staging API every morning.", system: nil) },
            { Planted(prompt: "Remember I'm on the platform team.", system: "You help with ops. Credentials: \($0.text)") },
        ]
        var out: [Planted] = []
        for (i, secret) in secrets.enumerated() {
            out.append(settings[i % settings.count](secret))
            out.append(settings[(i + 2) % settings.count](secret))
        }
        // The two CLI exchanges need a system prompt and a plain stdin prompt.
        out[0] = Planted(prompt: "Remember that I am a Rust developer.", system: "Ops notes: \(secrets[0].text)")
        out[1] = Planted(prompt: "Remember that my staging key is \(secrets[1].text) and I use Vim", system: nil)
        return Array(out.prefix(50))
    }()

    /// Logs exchanges ([{"prompt", "system"}] on stdin) into DB with the echo model through
    /// llm's Python API, as the CLI does; prints each logged id.
    static let loggerScript = """
        import json, sys
        import llm, sqlite_utils
        from llm.migrations import migrate
        db = sqlite_utils.Database(sys.argv[1])
        migrate(db)
        model = llm.get_model("echo")
        for item in json.load(sys.stdin):
            response = model.prompt(item["prompt"], system=item.get("system"))
            response.text()
            response.log_to_db(db)
            print(response.id, flush=True)
        """
}

// MARK: - Support shared by SecurityTests and BadInputTests

/// One sandboxed user with the porcelain "installed" beside this build's tools and the
/// `scripted` model (rules file, call log) as the update's model.
struct GuardUser {
    let sandbox: Sandbox
    let binDir: String

    init() throws {
        sandbox = try Sandbox()
        binDir = try sandbox.makeBin()
    }

    func remove() {
        _ = try? run("/bin/chmod", ["-R", "u+rwX", sandbox.root.path], environment: [:])
        sandbox.remove()
    }

    var porcelainPath: String { binDir + "/llm-memory" }
    var dir: String { sandbox.memoryDir }
    var memory: MemoryDirLayout { MemoryDirLayout(dir) }
    var profilePath: String { memory.profile }
    var cursorPath: String { memory.cursor }
    var rulesPath: String { path("rules.json") }
    var modelLogPath: String { path("model-calls.jsonl") }
    var python: String { URL(fileURLWithPath: Repo.llm).deletingLastPathComponent().appendingPathComponent("python").path }

    func path(_ name: String) -> String { sandbox.root.appendingPathComponent(name).path }

    var environment: [String: String] {
        sandbox.scriptedModelEnvironment(binDir: binDir, rules: rulesPath, log: modelLogPath)
    }

    func porcelain(_ args: [String], env: [String: String] = [:], stdin: Data? = nil) throws -> RunResult {
        var environment = environment
        environment.merge(env) { $1 }
        return try run(porcelainPath, args, stdin: stdin, environment: environment)
    }

    @discardableResult
    func logPrompt(_ prompt: String) throws -> RunResult {
        try run(Repo.llm, ["-m", "echo", prompt], environment: environment)
    }

    /// Memory set up before the conversations it is to learn from (`setUpMemory`); `env`
    /// as for `porcelain`.
    @discardableResult
    func setUpMemory(env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        try EndToEndTests.setUpMemory(porcelain: porcelainPath, environment: environment.merging(env) { $1 },
                                      sourceLocation: sourceLocation)
    }

    /// A logs.db holding one exchange, "Remember that I am a Rust developer", logged once
    /// per test run by the real llm (echo model) and copied into each sandbox that starts
    /// with it: one llm start-up instead of one per test.
    static let firstExchangeDB: String? = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("guard-first-exchange-\(UUID().uuidString)")
        guard let sandbox = try? Sandbox() else { return nil }
        defer { sandbox.remove() }
        guard (try? run(Repo.llm, ["-m", "echo", "Remember that I am a Rust developer"], environment: sandbox.environment))?.status == 0,
              (try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)) != nil,
              (try? FileManager.default.copyItem(atPath: sandbox.logsDB, toPath: dir.path + "/logs.db")) != nil
        else { return nil }
        return dir.path + "/logs.db"
    }()

    /// llm's log starts with "Remember that I am a Rust developer" (see `firstExchangeDB`).
    func logFirstExchange(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let template = try #require(GuardUser.firstExchangeDB, "the real llm logged the first exchange", sourceLocation: sourceLocation)
        try FileManager.default.copyItem(atPath: template, toPath: sandbox.logsDB)
    }

    func setRules(_ rules: [[String: Any]]) throws {
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: rulesPath), options: .atomic)
    }

    static func delta(adding text: String, section: String = "Personal Information") -> String {
        let op: [String: Any] = ["op": "add", "section": section, "text": text, "ex": 1]
        return String(decoding: try! JSONSerialization.data(withJSONObject: ["ops": [op]]), as: UTF8.self)
    }

    func script(_ name: String, _ body: String) throws -> String {
        let file = path(name)
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
        return file
    }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func modelCallRecords() -> [[String: String]] {
        (read(modelLogPath) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
    }

    func modelCalls() -> Int { modelCallRecords().count }

    func cursor() -> String? { read(cursorPath)?.trimmingCharacters(in: .whitespacesAndNewlines) }

    func newestCursor() -> String? {
        guard let extracted = try? run(Repo.tool("mem-extract"), [], environment: environment) else { return nil }
        return extracted.out.split(separator: "\n").last.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }?["cursor"] as? String
    }

    /// Every regular file under the memory dir, relative.
    func allFiles() -> [String] {
        var files: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return [] }
        while let relative = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + relative, isDirectory: &isDir), !isDir.boolValue {
                files.append(relative)
            }
        }
        return files
    }

    static func mode(_ path: String) -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { return -1 }
        return Int(info.st_mode & 0o777)
    }

    /// The dir is 0700, every dir in it 0700 and every file 0600.
    static func expectPrivate(_ dir: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(mode(dir) == 0o700, "\(dir)", sourceLocation: sourceLocation)
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return }
        while let relative = walker.nextObject() as? String {
            let path = dir + "/" + relative
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            #expect(mode(path) == (isDir.boolValue ? 0o700 : 0o600), "\(relative): \(String(mode(path), radix: 8))",
                    sourceLocation: sourceLocation)
        }
    }
}
