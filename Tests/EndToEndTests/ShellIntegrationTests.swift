import Foundation
import Testing
import TestKit

/// "Transparent llm": the shell wrapper installed by `llm-memory install-shell`, driven
/// through real bash, zsh and fish (and, where job-control output matters, interactive
/// shells under tmux) with the real llm 0.36, its `echo` model (which answers with the
/// prompt and system prompt it received) and the test-only `scripted` model.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv (make test-env)"),
       .enabled(if: Shell.casesCanBeSkipped, "needs bash, zsh, fish and tmux (.ci/run installs them)"))
struct ShellIntegrationTests {
    static let marker = ShellSandbox.marker

    // MARK: - 1. injection

    @Test(arguments: Shell.allCases)
    func theProfileReachesTheModelOnEveryPromptRunningCallAndTheLogKeepsOnlyTheTypedText(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            try await sb.install()
            let script = [
                sb.step("kind", shell.llmKind),
                sb.step("bare", "llm -m echo 'a bare prompt'"),
                sb.step("explicit", "llm prompt -m echo 'an explicit prompt'"),
                sb.step("chat", "printf 'a chat line\\nquit\\n' | llm chat -m echo", stdin: nil),
                sb.step("save", "llm -m echo --save terse -s 'be terse'"),
                sb.step("templated", "llm -t terse 'a templated prompt'"),
                sb.step("first", "llm -m echo 'the first turn'"),
                sb.step("continued", "llm -c 'the second turn'"),
                sb.step("logs", "command llm logs -n 0 --json"),
            ].joined(separator: "\n")
            // Updates are another test's subject; here they would only cost CPU.
            let ran = try await sb.run(script, environment: ["LLM_MEMORY_UPDATES": "false"])
            #expect(ran.status == 0, "\(ran.err)")
            #expect(sb.result("kind").out.contains("function"), "llm is not the wrapper: \(sb.result("kind"))")

            // What the model received: the typed text as the prompt, the profile in the system.
            for (name, typed) in [("bare", "a bare prompt"), ("explicit", "an explicit prompt"),
                                  ("chat", "a chat line"), ("templated", "a templated prompt"),
                                  ("first", "the first turn"), ("continued", "the second turn")] {
                let step = sb.result(name)
                #expect(step.status == 0, "\(step)")
                let echo = try #require(step.echo, "no echo reply: \(step)")
                #expect(echo.prompt == typed, "\(step)")
                #expect(echo.system?.contains(Self.marker) == true, "the profile did not reach the model: \(step)")
                // Exactly once: nothing injected twice (a template, a continuation).
                #expect(echo.system?.components(separatedBy: Self.marker).count == 2, "\(step)")
            }
            #expect(sb.result("templated").echo?.system?.hasSuffix("be terse") == true, "\(sb.result("templated"))")

            // `--save` runs no prompt: the saved template holds what was typed, not the profile.
            #expect(sb.result("save").status == 0, "\(sb.result("save"))")
            let template = sb.read(sb.sandbox.llmUserPath + "/templates/terse.yaml") ?? ""
            #expect(template.contains("be terse"), "\(template)")
            #expect(!template.contains("memory") && !template.contains("fragment"),
                    "the profile was saved into the template:\n\(template)")

            // What llm logged as the prompt: the typed text only.
            let typed = ["a bare prompt", "an explicit prompt", "a chat line", "a templated prompt",
                         "the first turn", "the second turn"]
            let rows = sb.result("logs").logs
            #expect(rows.map { $0["prompt"] as? String } == typed, "\(sb.result("logs"))")
            #expect(rows.count == 6 && rows[4]["conversation_id"] as? String == rows[5]["conversation_id"] as? String,
                    "-c did not continue the conversation")

            // mem-extract agrees: every exchange is the typed text, no profile in prompt or system.
            let extracted = try await runAsync(Repo.tool("mem-extract"), [], environment: sb.environment)
            #expect(extracted.status == 0, "\(extracted.err)")
            let exchanges = extracted.out.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(exchanges.map { $0["prompt"] as? String } == typed, "\(extracted.out)")
            #expect(exchanges.allSatisfy { ($0["system"] as? String)?.contains(Self.marker) != true })
        }
    }

    /// A profile written by hand before any fragment exists is rendered and injected by
    /// the first call (zsh's `-nt` is false when the fragment is missing).
    @Test(arguments: Shell.allCases)
    func aHandWrittenProfileWithNoFragmentYetReachesTheFirstCall(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile(render: false)
            #expect(!FileManager.default.fileExists(atPath: sb.memory.fragment))
            try await sb.install()
            let ran = try await sb.run(sb.step("first", "llm -m echo 'hello'"), environment: ["LLM_MEMORY_UPDATES": "false"])
            #expect(ran.status == 0, "\(ran.err)")
            let echo = try #require(sb.result("first").echo, "no echo reply: \(sb.result("first"))")
            #expect(echo.system?.contains(Self.marker) == true, "the profile did not reach the model: \(sb.result("first"))")
        }
    }

    // MARK: - 2. everything else passes through untouched

    static var testCommandPluginInstalled: Bool {
        let lib = URL(fileURLWithPath: Repo.venvBin).deletingLastPathComponent().appendingPathComponent("lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        return pythons.contains {
            FileManager.default.fileExists(atPath: lib.path + "/\($0)/site-packages/llm_user_memory_test_command.py")
        }
    }

    @Test(.enabled(if: testCommandPluginInstalled, "needs the test-only plugin command in the llm 0.36 venv (make test-env)"),
          arguments: Shell.allCases)
    func commandsThatRunNoPromptBehaveExactlyAsWithoutTheWrapper(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            try await sb.install()
            let commands: [(String, String)] = [
                ("logs", "logs -n 1"), ("models", "models"), ("version", "--version"),
                ("help", "--help"), ("h", "-h"), ("noArguments", ""),
                ("plugin", "hello-plugin a 'b c' --fail"),
            ]
            var lines = [
                "command llm -m echo 'a logged prompt' >/dev/null 2>&1",
                sb.step("kind", shell.llmKind),
            ]
            for (name, arguments) in commands {
                lines.append(sb.step("w-\(name)", "llm \(arguments)"))
                lines.append(sb.step("p-\(name)", "command llm \(arguments)"))
            }
            lines.append(sb.step("cache", "llm memory llm-commands"))
            let ran = try await sb.run(lines.joined(separator: "\n"))
            #expect(ran.status == 0, "\(ran.err)")
            #expect(sb.result("kind").out.contains("function"), "llm is not the wrapper: \(sb.result("kind"))")

            for (name, arguments) in commands {
                let wrapped = sb.result("w-\(name)"), plain = sb.result("p-\(name)")
                #expect(wrapped.status != nil && wrapped.status == plain.status, "llm \(arguments): \(wrapped) vs \(plain)")
                #expect(wrapped.stdout == plain.stdout, "llm \(arguments): stdout differs:\n\(wrapped.out)\n---\n\(plain.out)")
                #expect(wrapped.stderr == plain.stderr, "llm \(arguments): stderr differs:\n\(wrapped.err)\n---\n\(plain.err)")
                #expect(!wrapped.out.contains(Self.marker))
            }
            #expect(sb.result("w-plugin").out == "hello from the plugin: a | b c\n")
            #expect(sb.result("w-plugin").err == "plugin note on stderr\n" && sb.result("w-plugin").status == 3)
            #expect(sb.result("w-help").out.contains("hello-plugin"))
            let cache = sb.result("cache").out.split(whereSeparator: \.isWhitespace)
            #expect(cache.contains("hello-plugin") && cache.contains("logs") && !cache.contains("prompt*"),
                    "\(sb.result("cache"))")
        }
    }

    /// A private llm install for one test: a venv of the same Python that sees the llm
    /// 0.36 venv's packages through a .pth file, with its own site-packages to install
    /// plugins into (as `llm install` would) and its own `llm` script.
    private func privateLLM(in sb: ShellSandbox) async throws -> (bin: String, site: String) {
        let venv = sb.sandbox.root.appendingPathComponent("venv").path
        let made = try await runAsync(Repo.venvBin + "/python3", ["-m", "venv", "--without-pip", venv],
                                      environment: sb.environment)
        try #require(made.status == 0, "python -m venv: \(made.err)")
        func sitePackages(_ root: String) throws -> String {
            let lib = root + "/lib"
            let python = try #require(try FileManager.default.contentsOfDirectory(atPath: lib).first { $0.hasPrefix("python") })
            return "\(lib)/\(python)/site-packages"
        }
        let site = try sitePackages(venv)
        let shared = try sitePackages(URL(fileURLWithPath: Repo.venvBin).deletingLastPathComponent().path)
        try Data((shared + "\n").utf8).write(to: URL(fileURLWithPath: site + "/llm-user-memory-test-shared.pth"))
        let script = try #require(sb.read(Repo.llm))
        let body = script.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[1]
        let llm = venv + "/bin/llm"
        try Data("#!\(venv)/bin/python3\n\(body)".utf8).write(to: URL(fileURLWithPath: llm))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: llm)
        return (venv + "/bin", site)
    }

    /// A plugin package as pip leaves it in site-packages: a module and its dist-info.
    private func stagePlugin(_ sb: ShellSandbox, into dir: String, version: String, command: String) throws {
        try sb.write("""
            import click
            import llm


            @llm.hookimpl
            def register_commands(cli):
                @cli.command(name="\(command)")
                @click.argument("words", nargs=-1)
                def run(words):
                    "Test-only plugin command, version \(version)."
                    click.echo("\(command) \(version): " + " ".join(words))

            """, to: "\(dir)/llm_user_memory_sandbox_plugin.py")
        let info = "\(dir)/llm_user_memory_sandbox_plugin-\(version).dist-info"
        try sb.write("Metadata-Version: 2.1\nName: llm-user-memory-sandbox-plugin\nVersion: \(version)\n", to: "\(info)/METADATA")
        try sb.write("[llm]\nllm_user_memory_sandbox_plugin = llm_user_memory_sandbox_plugin\n", to: "\(info)/entry_points.txt")
    }

    @Test(arguments: Shell.allCases)
    func aPluginCommandInstalledOrUpgradedLaterIsPassedThroughToo(shell: Shell) async throws {
        try await withShellSandbox(shell) { original in
            var sb = original
            let (bin, site) = try await privateLLM(in: sb)
            sb.environment["PATH"] = "\(Repo.binDir.path):\(bin):/usr/bin:/bin"
            sb.environment["PYTHONDONTWRITEBYTECODE"] = "1"
            try stagePlugin(sb, into: "v1", version: "0.1", command: "sandbox-hello")
            try stagePlugin(sb, into: "v2", version: "0.2", command: "sandbox-hello-again")
            try await sb.writeProfile()
            try await sb.install()
            let site1 = sb.shell.quoted(site + "/")
            let script = [
                sb.step("cacheBefore", "llm memory llm-commands"),
                "cp -R v1/. \(site1)",
                sb.step("w1", "llm sandbox-hello one"),
                sb.step("p1", "command llm sandbox-hello one"),
                sb.step("cache1", "llm memory llm-commands"),
                "rm -r \(sb.shell.quoted(site + "/llm_user_memory_sandbox_plugin-0.1.dist-info")); cp -R v2/. \(site1)",
                sb.step("w2", "llm sandbox-hello-again two"),
                sb.step("p2", "command llm sandbox-hello-again two"),
                sb.step("cache2", "llm memory llm-commands"),
            ].joined(separator: "\n")
            let ran = try await sb.run(script)
            #expect(ran.status == 0, "\(ran.err)")

            func words(_ name: String) -> [Substring] { sb.result(name).out.split(whereSeparator: \.isWhitespace) }
            #expect(words("cacheBefore").contains("logs") && !words("cacheBefore").contains("sandbox-hello"),
                    "\(sb.result("cacheBefore"))")
            #expect(sb.result("w1").out == "sandbox-hello 0.1: one\n", "\(sb.result("w1"))")
            #expect(words("cache1").contains("sandbox-hello"), "the command cache was not refreshed: \(sb.result("cache1"))")
            #expect(sb.result("w2").out == "sandbox-hello-again 0.2: two\n", "\(sb.result("w2"))")
            #expect(words("cache2").contains("sandbox-hello-again") && !words("cache2").contains("sandbox-hello"),
                    "\(sb.result("cache2"))")
            for (w, p) in [("w1", "p1"), ("w2", "p2")] {
                let wrapped = sb.result(w), plain = sb.result(p)
                #expect(wrapped.stdout == plain.stdout && wrapped.stderr == plain.stderr && wrapped.status == plain.status,
                        "\(wrapped) vs \(plain)")
            }
        }
    }

    // MARK: - 3. prompt text arrives byte for byte

    static let awkwardTexts: [(text: String, afterDashDash: Bool)] = [
        (#"  It's "quoted" $(echo pwned) `echo ticked` $HOME ${HOME} %s %d \n \\ back\slash"#
            + "\nsecond line\twith a tab\n\nafter a blank line\r\nand a carriage return  ", false),
        ("-dash at the start", true),
        ("é 日本語 🎉 e\u{301} n\u{303} (combining marks)", false),
        ("*", false),
        ("--sf other.md -m other --save t", true),
    ]

    @Test(arguments: Shell.allCases)
    func promptTextArrivesByteForByteAndStdinIsKept(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            try await sb.install()
            var lines: [String] = []
            for (index, item) in Self.awkwardTexts.enumerated() {
                try sb.write(item.text, to: "texts/\(index).txt")
                let separator = item.afterDashDash ? "-- " : ""
                lines.append(sb.step("t\(index)", "llm -m echo \(separator)\(shell.contents(of: "texts/\(index).txt"))"))
            }
            try sb.write("line one of the notes\nline two: $HOME `x`\n", to: "notes.txt")
            lines.append(sb.step("stdin", "cat notes.txt | llm -m echo summarize", stdin: nil))
            lines.append(sb.step("stdinPlain", "cat notes.txt | command llm -m echo summarize", stdin: nil))
            // Updates are covered elsewhere; here they would only cost CPU.
            let ran = try await sb.run(lines.joined(separator: "\n"), environment: ["LLM_MEMORY_UPDATES": "false"])
            #expect(ran.status == 0, "\(ran.err)")

            for (index, item) in Self.awkwardTexts.enumerated() {
                let step = sb.result("t\(index)")
                #expect(step.status == 0, "\(step)")
                let echo = try #require(step.echo, "no echo reply: \(step)")
                #expect(sameBytes(echo.prompt, item.text),
                        "sent \(item.text.debugDescription), the model got \((echo.prompt ?? "nil").debugDescription)")
                #expect(echo.system?.contains(Self.marker) == true, "\(step)")
            }
            let piped = try #require(sb.result("stdin").echo, "\(sb.result("stdin"))")
            let plain = try #require(sb.result("stdinPlain").echo, "\(sb.result("stdinPlain"))")
            #expect(sameBytes(piped.prompt, plain.prompt), "\(String(describing: piped.prompt)) vs \(String(describing: plain.prompt))")
            #expect(piped.prompt?.contains("line two: $HOME `x`") == true && piped.prompt?.hasSuffix("summarize") == true)
            #expect(piped.system?.contains(Self.marker) == true)
        }
    }

    // MARK: - 4. exit status

    @Test(arguments: Shell.allCases)
    func aFailingCallKeepsItsExitStatusAndItsMessage(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            try await sb.install()
            let script = [
                sb.step("w", "llm -m no-such-model hi"),
                sb.step("p", "command llm -m no-such-model hi"),
                sb.step("wMemory", "llm memory no-such-command"),
                sb.step("pMemory", sb.shell.quoted(Repo.porcelain) + " no-such-command"),
            ].joined(separator: "\n")
            let ran = try await sb.run(script, environment: ["LLM_MEMORY_UPDATES": "false"])
            #expect(ran.status == 0, "\(ran.err)")
            let wrapped = sb.result("w"), plain = sb.result("p")
            #expect(wrapped.status == 1 && plain.status == 1, "\(wrapped) vs \(plain)")
            #expect(wrapped.stderr == plain.stderr && wrapped.stdout == plain.stdout, "\(wrapped) vs \(plain)")
            #expect(wrapped.err.contains("no-such-model"))
            let memory = sb.result("wMemory"), direct = sb.result("pMemory")
            #expect(memory.status == 64 && direct.status == 64, "\(memory) vs \(direct)")
            #expect(memory.stderr == direct.stderr)
        }
    }

    // MARK: - 5. llm memory …

    private func statusLine(_ text: String, _ key: String) -> String {
        text.split(separator: "\n").first { $0.hasPrefix(key + ":") }.map(String.init) ?? ""
    }

    @Test(arguments: Shell.allCases)
    func memoryCommandsWorkAndPauseHoldsInANewShell(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            try await sb.install()
            // install-shell set memory up: it learns from here on.
            let installed = try #require(sb.read(sb.cursorFile), "install-shell fixed no starting point")

            // An update runs after a prompt (the echo model proposes nothing; the cursor moves).
            _ = try await sb.run(sb.step("first", "llm -m echo 'a first prompt'"))
            #expect(sb.result("first").status == 0, "\(sb.result("first"))")
            #expect(await eventually(timeout: 30) { sb.read(sb.cursorFile) != installed }, "no update ran after a prompt")
            #expect(try await sb.waitForUpdatesToFinish())
            let cursor = sb.read(sb.cursorFile)
            #expect(sb.updateRuns().count == 1)

            _ = try await sb.run([
                sb.step("show", "llm memory show"),
                sb.step("statusBefore", "llm memory status"),
                sb.step("pause", "llm memory pause"),
                sb.step("statusPaused", "llm memory status"),
            ].joined(separator: "\n"))
            #expect(sb.result("show").status == 0 && sb.result("show").out == ShellSandbox.profile, "\(sb.result("show"))")
            #expect(sb.result("statusBefore").status == 0)
            #expect(statusLine(sb.result("statusBefore").out, "paused").contains("no"), "\(sb.result("statusBefore"))")
            #expect(sb.result("pause").status == 0, "\(sb.result("pause"))")
            #expect(statusLine(sb.result("statusPaused").out, "paused").contains("yes"), "\(sb.result("statusPaused"))")

            // A new shell: still paused; the prompt still gets the profile, but no update runs.
            _ = try await sb.run([
                sb.step("statusNewShell", "llm memory status"),
                sb.step("second", "llm -m echo 'a prompt while paused'"),
            ].joined(separator: "\n"))
            #expect(statusLine(sb.result("statusNewShell").out, "paused").contains("yes"), "\(sb.result("statusNewShell"))")
            #expect(sb.result("second").status == 0)
            #expect(sb.result("second").echo?.system?.contains(Self.marker) == true, "\(sb.result("second"))")
            #expect(sb.read(sb.cursorFile) == cursor, "the cursor moved while paused")

            // Resumed, the next prompt's update takes both prompts; exactly one more update
            // ran in all, so none ran while paused.
            _ = try await sb.run([
                sb.step("resume", "llm memory resume"),
                sb.step("third", "llm -m echo 'a prompt after resuming'"),
            ].joined(separator: "\n"))
            #expect(sb.result("resume").status == 0, "\(sb.result("resume"))")
            #expect(await eventually(timeout: 30) { sb.read(sb.cursorFile) != cursor }, "no update ran after resuming")
            #expect(try await sb.waitForUpdatesToFinish())
            #expect(sb.updateRuns().count == 2, "updates.log:\n\(sb.read(sb.updateLog) ?? "")")
            let waiting = try await sb.run(sb.step("statusAfter", "llm memory status"))
            #expect(waiting.status == 0)
            #expect(statusLine(sb.result("statusAfter").out, "waiting").contains(" 0 "), "\(sb.result("statusAfter"))")
        }
    }

    // MARK: - 6. a prompt becomes a profile fact, quietly

    @Test(.enabled(if: TmuxSession.available, "needs tmux (.ci/run installs it)"), arguments: Shell.allCases)
    func aPromptInAnInteractiveShellBecomesAProfileFactWithNoJobControlNoise(shell: Shell) async throws {
        try await withShellSandbox(shell) { original in
            var sb = original
            let delta = #"{"ops":[{"op":"add","section":"Personal Information","text":"Role: Rust developer","ex":1}]}"#
            let rules = try JSONSerialization.data(withJSONObject: [
                ["match": "Personal Information", "reply": delta],
                ["match": "I'm a Rust developer", "reply": "Noted, Rustacean."],
            ])
            try rules.write(to: URL(fileURLWithPath: sb.path("rules.json")))
            sb.environment["LLM_SCRIPTED_RULES"] = sb.path("rules.json")
            let rc = shell == .fish ? sb.home + "/.config/fish/config.fish" : sb.rcPath
            try sb.write(shell.interactiveSetup, to: rc)
            try await sb.install()

            let tmux = try await TmuxSession(sb)
            let prompt = shell.prompt.trimmingCharacters(in: .whitespaces)
            func prompts(_ lines: [String]) -> Int { lines.filter { $0.hasPrefix(prompt) }.count }
            let typed = #"llm -m scripted "I'm a Rust developer""#

            let ready = try await tmux.waitFor { prompts($0) >= 1 }
            let startScreen = try await tmux.screen()
            try #require(ready != nil, "no prompt: \(startScreen)")
            try await tmux.type(typed)
            let answered = try await tmux.waitFor(timeout: 30) { prompts($0) >= 2 }
            let answerScreen = try await tmux.screen()
            #expect(answered != nil, "the prompt did not come back: \(answerScreen)")

            let learned = await eventually(timeout: 30) {
                sb.read(sb.memory.profile)?.contains("- Role: Rust developer") == true
            }
            #expect(learned, "profile:\n\(sb.read(sb.memory.profile) ?? "none")\nupdates.log:\n\(sb.read(sb.updateLog) ?? "none")")
            #expect(try await sb.waitForUpdatesToFinish())
            #expect(sb.read(sb.memory.fragment)?.contains("Role: Rust developer") == true)

            // One more command, so any pending job notice would be printed before its prompt.
            try await tmux.type("true")
            let third = try await tmux.waitFor { prompts($0) >= 3 }
            let lastScreen = try await tmux.screen()
            let screen = try #require(third, "no third prompt: \(lastScreen)")
            #expect(screen == [shell.prompt + typed, "Noted, Rustacean.", shell.prompt + "true", prompt],
                    "the screen:\n\(screen.joined(separator: "\n"))")
            let noise = screen.filter {
                $0.contains("[1]") || $0.contains("Done") || $0.contains("has ended") || $0.contains("+ ")
                    || $0.range(of: #"^\s*\[?\d+\]?\s+\d+\s*$"#, options: .regularExpression) != nil
            }
            #expect(noise.isEmpty, "job-control lines: \(noise)")
            await tmux.kill()
        }
    }

    // MARK: - 7. the tools are gone

    @Test(arguments: Shell.allCases)
    func llmStillWorksWhenTheMemoryToolsAreGone(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            let copy = sb.sandbox.root.appendingPathComponent("tools/llm-memory").path
            try FileManager.default.createDirectory(atPath: sb.sandbox.root.appendingPathComponent("tools").path,
                                                    withIntermediateDirectories: true)
            // (A link: the porcelain's lib/ and share/ are found beside its real file.)
            try FileManager.default.createSymbolicLink(atPath: copy, withDestinationPath: Repo.porcelain)
            try await sb.install(from: copy)
            #expect(sb.read(sb.rcPath)?.contains(copy) == true)

            // Gone in the middle of a session: the wrapper is defined, its program is not.
            _ = try await sb.run([
                sb.step("before", "llm -m echo 'before'"),
                "rm -f \(shell.quoted(copy))",
                sb.step("during", "llm -m echo 'during'"),
                sb.step("again", "llm -m echo 'again'"),
            ].joined(separator: "\n"))
            #expect(sb.result("before").echo?.system?.contains(Self.marker) == true, "\(sb.result("before"))")
            for name in ["during", "again"] {
                let step = sb.result(name)
                #expect(step.status == 0, "\(step)")
                #expect(step.echo?.prompt == name, "\(step)")
            }
            #expect(sb.result("during").errLines.count + sb.result("again").errLines.count <= 1,
                    "more than one warning: \(sb.result("during")) \(sb.result("again"))")

            // A new shell: the rc block is still there, its program is not.
            #expect(sb.read(sb.rcPath)?.contains("llm-user-memory") == true)
            _ = try await sb.run(sb.step("newShell", "llm -m echo 'in a new shell'"))
            let step = sb.result("newShell")
            #expect(step.status == 0, "\(step)")
            #expect(step.echo?.prompt == "in a new shell", "\(step)")
            #expect(step.errLines.count <= 1, "\(step)")
        }
    }

    // MARK: - 8. install and uninstall

    enum RCFile: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case none, endsWithNewline, noFinalNewline, crlf, empty
        var testDescription: String { rawValue }
        var content: String? {
            switch self {
            case .none: nil
            case .endsWithNewline: "# my settings\nexport EDITOR=vi\n"
            case .noFinalNewline: "# my settings\nexport EDITOR=vi"
            case .crlf: "# my settings\r\nexport EDITOR=vi\r\n"
            case .empty: ""
            }
        }
    }

    private func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test(arguments: Shell.allCases, RCFile.allCases)
    func installTwiceChangesNothingAndUninstallRestoresTheFile(shell: Shell, rcFile: RCFile) async throws {
        try await withShellSandbox(shell) { sb in
            let rc = sb.rcPath
            let dir = URL(fileURLWithPath: rc).deletingLastPathComponent().path
            if let content = rcFile.content { try sb.write(content, to: rc) }
            let before = sb.bytes(rc)
            let listingBefore = listing(dir)

            try await sb.install()
            let installed = try #require(sb.bytes(rc), "install wrote no \(rc)")
            let text = String(decoding: installed, as: UTF8.self)
            #expect(text.components(separatedBy: "# >>> llm-user-memory >>>").count == 2, "\(text)")
            if let before {
                #expect(installed.starts(with: before), "install changed what was there:\n\(text)")
                #expect(sb.bytes(rc + ".llm-memory.bak") == before, "no backup of the original \(rc)")
            }
            let listingInstalled = listing(dir)

            let second = try await sb.install()
            #expect(sb.bytes(rc) == installed, "the second install changed \(rc)")
            #expect(sb.bytes(rc + ".llm-memory.bak") == before)
            #expect(listing(dir) == listingInstalled)
            #expect(second.err.contains("already"), "\(second.err)")

            let status = try await sb.porcelain(["shell-status"])
            #expect(status.out.contains("\(shell.rawValue): installed in \(rc)"), "\(status.out)")

            let removed = try await sb.porcelain(["uninstall-shell", shell.rawValue])
            #expect(removed.status == 0, "\(removed.err)")
            #expect(sb.bytes(rc) == before, "uninstall left \(String(decoding: sb.bytes(rc) ?? Data(), as: UTF8.self).debugDescription)")
            #expect(listing(dir) == listingBefore, "left behind: \(listing(dir))")
            let after = try await sb.porcelain(["shell-status"])
            #expect(after.out.contains("not installed"), "\(after.out)")
        }
    }

    @Test(arguments: [Shell.bash])
    func shellStatusSaysWhereTheWrapperIsInstalled(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            for name in ["bash", "fish"] {
                #expect(try await sb.porcelain(["install-shell", name]).status == 0)
            }
            let status = try await sb.porcelain(["shell-status"])
            #expect(status.status == 0)
            #expect(status.out.split(separator: "\n") == [
                "bash: installed in \(sb.home)/.bashrc",
                "fish: installed in \(sb.home)/.config/fish/conf.d/llm-memory.fish",
            ], "\(status.out)")
            let summary = try await sb.porcelain(["status"])
            #expect(summary.out.contains("bash: installed in \(sb.home)/.bashrc"), "\(summary.out)")
            #expect(try await sb.porcelain(["uninstall-shell"]).status == 0)
            #expect(try await sb.porcelain(["shell-status"]).out == "not installed (llm memory install-shell)\n")
            #expect(!FileManager.default.fileExists(atPath: sb.home + "/.bashrc"))
            #expect(!FileManager.default.fileExists(atPath: sb.home + "/.config/fish/conf.d/llm-memory.fish"))
        }
    }

    @Test(arguments: [Shell.fish])
    func fishKeepsLoadingTheUsersOwnConfigAfterInstallAndUninstall(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            let config = sb.home + "/.config/fish/config.fish"
            let mine = "set -g MY_SETTING from-my-config\nfunction my_greeting\n    echo hello from my config\nend\n"
            try sb.write(mine, to: config)
            let probe = "my_greeting; echo $MY_SETTING; functions -q llm; and echo function; or echo no-wrapper"

            let plain = try await sb.run(probe)
            #expect(plain.out == "hello from my config\nfrom-my-config\nno-wrapper\n", "\(plain.out) \(plain.err)")
            try await sb.install()
            let withWrapper = try await sb.run(probe)
            #expect(withWrapper.out == "hello from my config\nfrom-my-config\nfunction\n", "\(withWrapper.out) \(withWrapper.err)")
            #expect(sb.read(config) == mine)
            #expect(try await sb.porcelain(["uninstall-shell", "fish"]).status == 0)
            let afterwards = try await sb.run(probe)
            #expect(afterwards.out == plain.out, "\(afterwards.out) \(afterwards.err)")
            #expect(sb.read(config) == mine)
            #expect(!sb.exists(sb.rcPath))
        }
    }

    // MARK: - 9. switches

    @Test(arguments: Shell.allCases)
    func disabledMeansNoInjectionAndNoUpdateAndUpdatesFalseMeansInjectionOnly(shell: Shell) async throws {
        try await withShellSandbox(shell) { sb in
            try await sb.writeProfile()
            try await sb.install()
            let installed = try #require(sb.read(sb.cursorFile), "install-shell fixed no starting point")
            for value in ["true", "on"] {
                _ = try await sb.run(sb.step("disabled-\(value)", "llm -m echo 'while disabled'"),
                                     environment: ["LLM_MEMORY_DISABLED": value])
                let step = sb.result("disabled-\(value)")
                #expect(step.status == 0, "\(step)")
                #expect(step.echo?.prompt == "while disabled" && step.echo?.system == "",
                        "LLM_MEMORY_DISABLED=\(value) still injected: \(step)")
            }
            for value in ["false", "off"] {
                _ = try await sb.run(sb.step("noUpdates-\(value)", "llm -m echo 'without updates'"),
                                     environment: ["LLM_MEMORY_UPDATES": value])
                let step = sb.result("noUpdates-\(value)")
                #expect(step.status == 0, "\(step)")
                #expect(step.echo?.system?.contains(Self.marker) == true, "LLM_MEMORY_UPDATES=\(value) stopped the injection: \(step)")
            }
            #expect(sb.read(sb.cursorFile) == installed && !sb.exists(sb.updateLog), "an update ran")

            // Without either switch, the same prompt starts an update, which takes all five
            // exchanges; it is the only update that ever ran.
            _ = try await sb.run(sb.step("normal", "llm -m echo 'a normal prompt'"))
            #expect(sb.result("normal").status == 0)
            #expect(await eventually(timeout: 30) { sb.read(sb.cursorFile) != installed }, "no update after a normal prompt")
            #expect(try await sb.waitForUpdatesToFinish())
            #expect(sb.updateRuns().count == 1, "updates.log:\n\(sb.read(sb.updateLog) ?? "")")
            let status = try await sb.run(sb.step("status", "llm memory status"))
            #expect(status.status == 0)
            #expect(statusLine(sb.result("status").out, "waiting").contains(" 0 "), "\(sb.result("status"))")
        }
    }

    // MARK: - 10. many prompts in a row

    /// The mem-* tools, each behind a script that appends `begin|end TOOL SESSION` to a
    /// trace (the session id is the pid of the detached update that runs it), beside a
    /// link to the porcelain, which uses the tools beside it.
    private func tracedTools(_ sb: ShellSandbox) throws -> (porcelain: String, trace: String) {
        let dir = sb.sandbox.root.appendingPathComponent("traced").path
        let trace = sb.sandbox.root.appendingPathComponent("trace.log").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for tool in ["mem-extract", "mem-propose", "mem-merge", "mem-render"] {
            let script = """
                #!/bin/sh
                sid=$(awk '{ print $6 }' /proc/$$/stat 2>/dev/null)
                echo "begin \(tool) $sid" >>'\(trace)'
                '\(Repo.tool(tool))' "$@"
                status=$?
                echo "end \(tool) $sid" >>'\(trace)'
                exit $status

                """
            try Data(script.utf8).write(to: URL(fileURLWithPath: "\(dir)/\(tool)"))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(dir)/\(tool)")
        }
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/llm-memory", withDestinationPath: Repo.porcelain)
        return ("\(dir)/llm-memory", trace)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat"), "reads session ids from /proc"),
          arguments: Shell.allCases)
    func manyPromptsInARowAreAllLearnedByOneUpdateAtATime(shell: Shell) async throws {
        try await withShellSandbox(shell) { original in
            var sb = original
            let count = 8
            // Each update prompt is answered with the facts of every note up to the newest
            // one in its batch (adding a fact twice changes nothing).
            let rules: [[String: String]] = (1...count).reversed().map { n in
                let ops = (1...n).map {
                    #"{"op":"add","section":"Interests","text":"Tool number \#($0)","ex":1}"#
                }.joined(separator: ",")
                return ["match": "<user>\nnote \(n):", "reply": #"{"ops":[\#(ops)]}"#]
            }
            try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: sb.path("rules.json")))
            sb.environment["LLM_SCRIPTED_RULES"] = sb.path("rules.json")
            sb.environment["LLM_SCRIPTED_LOG"] = sb.path("model-calls.jsonl")
            let (porcelain, trace) = try tracedTools(sb)
            try await sb.install(from: porcelain)

            let script = (1...count).map {
                sb.step("note\($0)", "llm -m scripted 'note \($0): I use tool number \($0) every day'")
            }.joined(separator: "\n")
            let ran = try await sb.run(script)
            #expect(ran.status == 0, "\(ran.err)")
            for n in 1...count { #expect(sb.result("note\(n)").status == 0, "\(sb.result("note\(n)"))") }

            /// How many update prompts carried each note.
            func proposals() -> [Int] {
                let calls = (sb.read("model-calls.jsonl") ?? "").split(separator: "\n").compactMap {
                    (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["prompt"] as? String
                }
                return (1...count).map { n in calls.filter { $0.contains("<user>\nnote \(n):") }.count }
            }
            let profilePath = sb.memory.profile
            let settled = try await eventually(timeout: 45, every: 0.25) {
                guard proposals().allSatisfy({ $0 >= 1 }) else { return false }
                return try await sb.waitForUpdatesToFinish(timeout: 0)
            }
            let log = sb.read(sb.updateLog) ?? ""
            #expect(settled, "not every note was learned: \(proposals())\nupdates.log:\n\(log)")
            #expect(try await sb.waitForUpdatesToFinish())

            // Nothing lost, nothing doubled.
            #expect(proposals() == Array(repeating: 1, count: count), "update prompts per note: \(proposals())")
            let profile = sb.read(profilePath) ?? ""
            for n in 1...count {
                #expect(profile.components(separatedBy: "- Tool number \(n)\n").count == 2, "fact \(n):\n\(profile)")
            }

            // One background update per prompt; each either found the lock held or did the work,
            // and no two working runs overlapped.
            let runs = sb.updateRuns()
            #expect(runs.count == count, "updates.log:\n\(log)")
            let alreadyRunning = log.components(separatedBy: "already running").count - 1
            let traced = (sb.read(trace) ?? "").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            var spans: [String: (first: Int, last: Int)] = [:]
            for (index, entry) in traced.enumerated() where entry.count == 3 {
                let session = entry[2]
                spans[session] = (spans[session]?.first ?? index, index)
            }
            let runPids = Set(runs.map { String($0.pid) })
            let working = spans.filter { runPids.contains($0.key) }.values.sorted { $0.first < $1.first }
            #expect(working.count >= 1 && working.count + alreadyRunning == count,
                    "\(working.count) working runs, \(alreadyRunning) found one running\nupdates.log:\n\(log)")
            for (a, b) in zip(working, working.dropFirst()) {
                #expect(a.last < b.first, "two updates ran at once:\n\(sb.read(trace) ?? "")")
            }
            #expect(!log.lowercased().contains("error") && !log.contains("failed") && !log.contains("stopped"), "\(log)")
        }
    }
}
