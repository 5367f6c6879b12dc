import Foundation
import Testing
import TestKit

/// The porcelain as a command-line program: usage errors, help, llm's command list, and
/// the script itself (shellcheck, dash).
extension PorcelainCommandTests {
    // MARK: - Tests: usage

    @Test(arguments: [["nonsense"], ["path", "--bogus"], ["load"], ["load", "a", "b"],
                      ["update", "--bogus"], ["clear", "--bogus"]])
    func aUsageErrorExits64WithUsageOnStderr(args: [String]) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let result = try memory.porcelain(args)
        #expect(result.status == 64, "\(args): \(result.err)")
        #expect(result.err.lowercased().contains("usage"), "\(args): \(result.err)")
        #expect(result.out.isEmpty, "\(args)")
        #expect(!FileManager.default.fileExists(atPath: memory.dir), "\(args) created the memory dir")
    }

    @Test func helpPrintsUsageAndExitsZero() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        for args in [["help"], ["--help"], ["-h"]] {
            let help = try memory.porcelain(args)
            #expect(help.status == 0, "\(args)")
            #expect(help.out.hasPrefix("Usage:"), "\(args)")
            for command in ["show", "path", "edit", "load FILE", "clear", "pause", "status", "update", "watch"] {
                #expect(help.out.contains(command), "\(args): \(command)")
            }
        }
    }

    /// The wrapper decides from this list whether `llm logs` is a command or a prompt, so
    /// it must come out even when the cache cannot be written (the memory dir cannot be
    /// made: a file is in the way).
    @Test func llmCommandsPrintsTheListEvenWhenItsCacheCannotBeWritten() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let blocker = memory.path("not-a-dir")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let listed = try memory.porcelain(["llm-commands", "--refresh"], env: ["LLM_MEMORY_DIR": blocker + "/memory"])
        #expect(listed.status == 0, "\(listed.err)")
        let names = listed.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(names.contains("logs") && names.contains("models") && names.contains("prompt"), "\(listed.out)")
    }

    /// llm's Python is found however llm was installed: the python beside llm's real file
    /// (a virtualenv; pipx and uv link llm from elsewhere; pip's `#!/bin/sh` launcher for
    /// long paths), or python3 on PATH when it can import llm (a `#!/usr/bin/env python3`
    /// launcher). It lists llm's commands (plugins' too) and says where plugins go.
    @Test(arguments: ["venv", "linked", "sh launcher", "env launcher"])
    func llmsPythonIsFoundHoweverLLMWasInstalled(install: String) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let venvBin = Repo.venvBin
        let elsewhere = memory.path("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        var path = "\(memory.binDir):\(venvBin):/usr/bin:/bin"
        var python = venvBin + "/python"
        switch install {
        case "venv":
            break
        case "linked":
            // ~/.local/bin/llm -> the venv's llm (pipx, uv tool); the venv is not on PATH.
            try FileManager.default.createSymbolicLink(atPath: elsewhere + "/llm", withDestinationPath: venvBin + "/llm")
            path = "\(memory.binDir):\(elsewhere):/usr/bin:/bin"
        case "sh launcher":
            // pip's launcher when the interpreter's path is too long for #!: sh re-executes
            // the file with the python beside it. (A venv of its own that sees llm's.)
            let venv = memory.path("long-venv")
            let made = try run(venvBin + "/python3", ["-m", "venv", "--without-pip", venv], environment: memory.environment)
            try #require(made.status == 0, "\(made.err)")
            let lib = venv + "/lib"
            let version = try #require(try FileManager.default.contentsOfDirectory(atPath: lib).first { $0.hasPrefix("python") })
            let shared = URL(fileURLWithPath: venvBin).deletingLastPathComponent().appendingPathComponent("lib/\(version)/site-packages").path
            try Data((shared + "\n").utf8).write(to: URL(fileURLWithPath: "\(lib)/\(version)/site-packages/shared.pth"))
            try writeExecutable(venv + "/bin/llm", #"""
                '''exec' "$(dirname "$0")/python" "$0" "$@"
                ' '''
                import sys
                from llm.cli import cli
                sys.exit(cli())
                """#)
            path = "\(memory.binDir):\(venv)/bin:/usr/bin:/bin"
            python = venv + "/bin/python"
        default:
            // #!/usr/bin/env python3, llm's python3 on PATH after it.
            try Data("#!/usr/bin/env python3\nimport sys\nfrom llm.cli import cli\nsys.exit(cli())\n".utf8)
                .write(to: URL(fileURLWithPath: elsewhere + "/llm"))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: elsewhere + "/llm")
            path = "\(memory.binDir):\(elsewhere):\(venvBin):/usr/bin:/bin"
        }
        let env = ["PATH": path]
        let commands = try memory.porcelain(["llm-commands", "--refresh"], env: env)
        #expect(commands.status == 0, "\(install): \(commands.err)")
        let names = commands.out.split(whereSeparator: \.isWhitespace)
        #expect(names.contains("logs") && names.contains("prompt") && names.contains("hello-plugin"), "\(install): \(commands.out)")
        let site = try run(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           environment: memory.environment).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let initialised = try memory.porcelain(["shell-init", "bash"], env: env)
        #expect(initialised.out.contains("__llm_memory_site='\(site)'\n"), "\(install): \(initialised.out)")
    }

    /// A new shell does not start Python to find llm's: shell-init keeps what it learned
    /// (llm-python in the memory dir) until llm's file changes, as `llm install` or an
    /// upgrade changes it.
    @Test func shellInitRemembersLLMsPythonUntilLLMChanges() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let elsewhere = memory.path("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let llm = elsewhere + "/llm"
        try Data("#!/usr/bin/env python3\nimport sys\nfrom llm.cli import cli\nsys.exit(cli())\n".utf8).write(to: URL(fileURLWithPath: llm))
        try FileManager.default.setAttributes([.posixPermissions: 0o755, .modificationDate: Date(timeIntervalSinceNow: -3600)],
                                              ofItemAtPath: llm)
        let env = ["PATH": "\(memory.binDir):\(elsewhere):\(Repo.venvBin):/usr/bin:/bin"]
        let site = try run(Repo.venvBin + "/python3", ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           environment: memory.environment).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let first = try memory.porcelain(["shell-init", "bash"], env: env)
        #expect(first.out.contains("__llm_memory_site='\(site)'\n"), "\(first.out)")
        let cache = memory.path("memory/llm-python")
        #expect(FileManager.default.fileExists(atPath: cache))

        // What the cache says is what the next shell gets (no Python asked): here, another site.
        let planted = memory.path("planted-site")
        try FileManager.default.createDirectory(atPath: planted, withIntermediateDirectories: true)
        try Data("\(llm)\n/nonexistent/python\n\(planted)\n".utf8).write(to: URL(fileURLWithPath: cache))
        let cached = try memory.porcelain(["shell-init", "bash"], env: env)
        #expect(cached.out.contains("__llm_memory_site='\(planted)'\n"), "\(cached.out)")

        // llm's file rewritten (an upgrade): asked again.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: llm)
        let again = try memory.porcelain(["shell-init", "bash"], env: env)
        #expect(again.out.contains("__llm_memory_site='\(site)'\n"), "\(again.out)")
    }

    // MARK: - Tests: a CLI that behaves like one

    /// Every command with its help flag: `help COMMAND`'s text, and nothing else done — no
    /// flag, no editor, no watch, no file looked for, no rc file, no memory dir.
    @Test(arguments: ["show", "path", "edit", "load", "clear", "render", "pause", "resume", "status", "update",
                      "watch", "install-shell", "uninstall-shell", "shell-status", "shell-init", "llm-commands"])
    func helpAfterAnyCommandPrintsItsHelpAndDoesNothingElse(command: String) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let marker = memory.path("editor-ran")
        let editor = try memory.script("editor.sh", ": >\"\(marker)\"")
        let env = ["EDITOR": editor, "VISUAL": "", "SHELL": "/bin/bash", "LLM_MEMORY_UPDATE_INTERVAL": "1"]
        let reference = try memory.porcelain(["help", command], env: env)
        #expect(reference.status == 0, "\(command): \(reference.err)")
        #expect(reference.out.hasPrefix("Usage: llm-memory \(command)"), "\(command): \(reference.out)")
        #expect(reference.out.split(separator: "\n").count >= 2, "\(command): a usage line and a description")
        for flag in ["--help", "-h"] {
            let help = try memory.porcelain([command, flag], env: env)
            #expect(help.status == 0, "\(command) \(flag): \(help.err)")
            #expect(help.out == reference.out, "\(command) \(flag)")
            #expect(help.err.isEmpty, "\(command) \(flag): \(help.err)")
        }
        #expect(try memory.porcelain([command, "x", "--help"], env: env).out == reference.out, "\(command): help wins")
        #expect(!FileManager.default.fileExists(atPath: memory.dir), "\(command) --help made the memory dir")
        #expect(!FileManager.default.fileExists(atPath: marker), "\(command) --help ran the editor")
        #expect(try FileManager.default.contentsOfDirectory(atPath: memory.sandbox.home).isEmpty,
                "\(command) --help wrote into HOME")
    }

    /// `pause --help` in a memory that exists: updates keep running.
    @Test func pauseHelpLeavesUpdatesRunning() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        #expect(try memory.porcelain(["pause", "--help"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: memory.memory.paused))
        #expect(try memory.porcelain(["status"]).out.contains("paused:         no"))
    }

    /// Arguments a command does not take: one line naming them, exit 64, nothing done.
    @Test(arguments: [
        ["show", "extra"], ["status", "--json"], ["pause", "now"], ["resume", "x"], ["render", "x"], ["edit", "file.md"],
        ["watch", "--bogus"], ["update", "--bogus"], ["update", "-v", "extra"], ["path", "--dir", "--profile"],
        ["clear", "--yes", "please"], ["shell-status", "x"], ["shell-init", "bash", "zsh"], ["shell-init", "tcsh"],
        ["llm-commands", "--bogus"], ["install-shell", "bash", "zsh"], ["install-shell", "--all"], ["uninstall-shell", "-x"],
        ["help", "show", "path"], ["--version", "x"],
    ])
    func argumentsACommandDoesNotTakeAreRefusedByName(args: [String]) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let result = try memory.porcelain(args, env: ["SHELL": "/bin/bash"])
        #expect(result.status == 64, "\(args): \(result.err)")
        let lines = result.err.split(separator: "\n")
        #expect(lines.count == 1, "\(args): one line: \(result.err)")
        let refused = args.count == 2 && args[0] == "shell-init" && args[1] == "tcsh" ? "tcsh" : args.last!
        #expect(lines.first?.contains("'\(refused)'") == true, "\(args): names \(refused): \(result.err)")
        #expect(lines.first?.hasPrefix("llm-memory: \(args[0]):") == true, "\(args): names the command: \(result.err)")
        #expect(result.out.isEmpty, "\(args)")
        #expect(!FileManager.default.fileExists(atPath: memory.dir), "\(args) made the memory dir")
        #expect(try FileManager.default.contentsOfDirectory(atPath: memory.sandbox.home).isEmpty, "\(args) wrote into HOME")
    }

    /// The history commands check their own arguments, as every command does: one line
    /// naming what is wrong, exit 64, nothing run — never mem-history's usage, which names
    /// its plumbing options.
    @Test(arguments: [
        ["log", "extra"], ["log", "-n", "abc"], ["log", "-n", "-1"], ["log", "--bogus"], ["undo", "1", "2"],
        ["undo", "--bogus"], ["undo", "0"], ["show", "--why", "extra"], ["show", "--why", "--json", "x"],
        ["why", "a", "b"], ["why", "--bogus"], ["forget", "--bogus"], ["forget", "a", "b"], ["forget", "--list", "x"],
    ])
    func historyCommandsRefuseArgumentsTheyDoNotTakeInOneLineWithoutThePlumbingsUsage(args: [String]) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let result = try memory.porcelain(args)
        #expect(result.status == 64, "\(args): \(result.err)")
        let lines = result.err.split(separator: "\n")
        #expect(lines.count == 1, "\(args): one line: \(result.err)")
        #expect(lines.first?.contains("'\(args.last!)'") == true, "\(args): names it: \(result.err)")
        #expect(lines.first?.hasPrefix("llm-memory: \(args[0]):") == true, "\(args): \(result.err)")
        #expect(!result.err.contains("mem-history") && !result.err.contains("--profile"), "\(args): \(result.err)")
        #expect(result.out.isEmpty, "\(args)")
        #expect(!FileManager.default.fileExists(atPath: memory.dir), "\(args) made the memory dir")
    }

    @Test func helpOfHelpPrintsItsUsageAndExitsZero() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        for args in [["help", "--help"], ["help", "-h"], ["--help", "--help"]] {
            let help = try memory.porcelain(args)
            #expect(help.status == 0, "\(args): \(help.err)")
            #expect(help.out.hasPrefix("Usage: llm-memory help [COMMAND]"), "\(args): \(help.out)")
            #expect(help.err.isEmpty, "\(args)")
        }
    }

    @Test func anUnknownCommandNamesItself() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        for args in [["frobnicate"], ["help", "frobnicate"]] {
            let result = try memory.porcelain(args)
            #expect(result.status == 64, "\(args)")
            #expect(result.err.split(separator: "\n").count == 1, "\(result.err)")
            #expect(result.err.hasPrefix("llm-memory: frobnicate: unknown command"), "\(result.err)")
        }
    }

    /// A profile mem-render refuses (a NUL byte): `render` exits with the tool's status (65,
    /// bad data), not a status of its own.
    @Test func renderExitsWithTheToolsOwnStatus() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        try memory.loadProfile(PorcelainUser.sampleProfile)
        try (Data("# Me\n\n- Ch".utf8) + Data([0]) + Data("ess\n".utf8)).write(to: URL(fileURLWithPath: memory.profilePath))
        let render = try memory.porcelain(["render"])
        let direct = try run(Repo.tool("mem-render"), ["--profile", memory.profilePath], environment: memory.environment)
        #expect(direct.status == 65)
        #expect(render.status == direct.status, "\(render.err)")
        #expect(render.err.contains("NUL byte"), "\(render.err)")
    }

    /// Sizes in messages are in human units.
    @Test func aTooLargeLoadSaysSoInMiB() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let load = try memory.porcelain(["load", "/dev/zero"])
        #expect(load.status == 65)
        #expect(load.err.contains("larger than 1 MiB"), "\(load.err)")
        #expect(!load.err.contains("1048"), "\(load.err)")
    }

    /// A long update on a terminal (`script` gives it one) shows one progress line that it
    /// redraws (batch k, exchanges left) and a summary, and puts the tools' per-batch
    /// reports in the update log; -v prints the reports instead; without a terminal the
    /// reports are printed as they come, with no control characters.
    @Test func aLongUpdateShowsProgressOnATerminalAndPlainReportsOtherwise() throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let script = try #require(["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) })
        try memory.setRules([["match": "Personal Information", "reply": PorcelainUser.delta(adding: "Likes Rust")]])
        try memory.setUpMemory()
        func backlog(_ n: Int) throws {
            let python = URL(fileURLWithPath: Repo.venvBin).appendingPathComponent("python").path
            let writer = try run(python, [Repo.root.appendingPathComponent("Tests/Support/write_exchanges.py").path,
                                          memory.sandbox.logsDB, "\(n)"], environment: memory.environment)
            #expect(writer.status == 0, "\(writer.err)")
        }
        /// `llm-memory ARGS` on a terminal: what the terminal showed.
        func onATerminal(_ args: [String]) throws -> RunResult {
            let command = ([memory.porcelainPath] + args).map { "'\($0)'" }.joined(separator: " ")
            return try run(script, ["-q", "-e", "-c", command, "/dev/null"], environment: memory.environment.merging(["LLM_MEMORY_BATCH": "20"]) { $1 })
        }
        try backlog(45)
        let terminal = try onATerminal(["update"])
        #expect(terminal.status == 0, "\(terminal.out)")
        #expect(memory.modelCalls() == 3)
        #expect(terminal.out.contains("\rllm-memory: updating: batch 1, 45 exchange(s) left"), "\(terminal.out.debugDescription)")
        #expect(terminal.out.contains("\rllm-memory: updating: batch 3, 5 exchange(s) left"), "\(terminal.out.debugDescription)")
        #expect(terminal.out.contains("llm-memory: updated: 3 batch(es) applied"), "\(terminal.out.debugDescription)")
        #expect(!terminal.out.contains("mem-propose:") && !terminal.out.contains("mem-merge:"), "\(terminal.out.debugDescription)")
        let log = try #require(memory.read(memory.memory.updateLog))
        #expect(log.contains("on a terminal") && log.contains("mem-merge:"), "\(log)")

        try backlog(5)
        let verbose = try onATerminal(["update", "--verbose"])
        #expect(verbose.status == 0, "\(verbose.out)")
        #expect(!verbose.out.contains("updating: batch"), "\(verbose.out.debugDescription)")
        #expect(verbose.out.contains("mem-merge:"), "\(verbose.out.debugDescription)")

        try backlog(5)
        let plain = try memory.porcelain(["update"])
        #expect(plain.status == 0, "\(plain.err)")
        #expect(plain.err.contains("mem-merge:"), "\(plain.err)")
        #expect(!plain.err.contains("updating: batch"), "\(plain.err)")
        #expect(!plain.err.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "control characters: \(plain.err.debugDescription)")
        #expect(memory.modelCalls() == 5)
    }

    // MARK: - Tests: the shell code itself

    static let shellcheck = ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck", "/opt/homebrew/bin/shellcheck"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let fish = Shell.fish.path
    static let dash = ["/bin/dash", "/usr/bin/dash"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The porcelain and every sh file it sources or installs (relative to the repository).
    static var shellFiles: [String] {
        var files = ["bin/llm-memory"]
        for dir in ["lib/llm-memory", "share/llm-memory"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: Repo.root.appendingPathComponent(dir).path)) ?? []
            files += names.filter { $0.hasSuffix(".sh") }.sorted().map { "\(dir)/\($0)" }
        }
        return files
    }

    /// shellcheck reads each file as its shell (`#!/bin/sh`, or a `# shellcheck shell=`
    /// line: sh for the porcelain's files, bash for the bash/zsh wrapper) and follows
    /// what it sources.
    @Test(.enabled(if: shellcheck != nil, "shellcheck is not installed (.ci/run installs it with apt)"))
    func thePorcelainAndTheWrapperAreShellcheckClean() throws {
        let shellcheck = try #require(Self.shellcheck)
        #expect(Self.shellFiles.contains("lib/llm-memory/update.sh") && Self.shellFiles.contains("share/llm-memory/wrapper.sh"),
                "\(Self.shellFiles)")
        let result = try run(shellcheck, ["-x"] + Self.shellFiles, environment: ["PATH": "/usr/bin:/bin"], cwd: Repo.root.path)
        #expect(result.status == 0, "\(result.out)\(result.err)")
    }

    @Test(.enabled(if: fish != nil, "fish is not installed (.ci/run installs it with apt)"))
    func theFishWrapperParses() throws {
        let fish = try #require(Self.fish)
        let file = Repo.root.appendingPathComponent("share/llm-memory/wrapper.fish").path
        let result = try run(fish, ["--no-execute", file], environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"])
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.err.isEmpty, "\(result.err)")
    }

    @Test(.enabled(if: dash != nil, "dash is not installed"))
    func thePorcelainParsesUnderDash() throws {
        let dash = try #require(Self.dash)
        for file in Self.shellFiles where file != "share/llm-memory/wrapper.sh" {
            let result = try run(dash, ["-n", Repo.root.appendingPathComponent(file).path], environment: ["PATH": "/usr/bin:/bin"])
            #expect(result.status == 0, "\(file): \(result.err)")
            #expect(result.err.isEmpty, "\(file)")
        }
    }

    /// What the rc block evaluates at every shell start is a few settings, each one quoted
    /// word, and one line that sources the wrapper file.
    @Test(arguments: ["bash", "zsh", "fish"])
    func shellInitPrintsOnlySettingsAndTheLineThatSourcesTheWrapper(shell: String) throws {
        let memory = try PorcelainUser()
        defer { memory.remove() }
        let result = try memory.porcelain(["shell-init", shell])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        let share = try #require(lines.first { $0.contains("__llm_memory_share") })
        #expect(share.hasSuffix("share/llm-memory'"), "\(share)")
        let setting = shell == "fish" ? #"^set -g __llm_memory_[a-z_]+ ('[^']*'|[0-9A-Za-z ]+)$"# : #"^__llm_memory_[a-z_]+='[^']*'$"#
        let source = shell == "fish" ? #"^source '[^']*/share/llm-memory/wrapper\.fish'$"# : #"^\. '[^']*/share/llm-memory/wrapper\.sh'$"#
        #expect(lines.last?.range(of: source, options: .regularExpression) != nil, "\(result.out)")
        for line in lines.dropLast() {
            #expect(line.range(of: setting, options: .regularExpression) != nil, "\(line)")
        }
        #expect(lines.count <= 10, "\(result.out)")
    }

    /// The words that switch a setting on or off: one list in the porcelain and the wrapper
    /// (share/llm-memory/words.sh), handed to fish by shell-init, and the plugin adapter's
    /// copy of the words for on, in Python.
    @Test func theSwitchWordsAreTheSameInThePorcelainTheWrapperAndThePluginAdapter() throws {
        let words = Repo.root.appendingPathComponent("share/llm-memory/words.sh").path
        let sh = try run("/bin/sh", ["-c", #". "$1"; printf '%s\n%s\n' "$__llm_memory_true" "$__llm_memory_false""#, "sh", words],
                         environment: ["PATH": "/usr/bin:/bin"])
        let shLists = sh.out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(shLists.count == 2 && shLists[0].contains("true") && shLists[1].contains("false"), "\(sh.out)")

        let python = URL(fileURLWithPath: Repo.venvBin).appendingPathComponent("python").path
        let adapter = Repo.root.appendingPathComponent("integrations/llm-user-memory-plugin").path
        let py = try run(python, ["-c", "import sys; sys.path.insert(0, sys.argv[1]); import llm_user_memory_adapter as a; "
                                  + "print(' '.join(a.TRUE_WORDS))", adapter],
                         environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"])
        #expect(py.status == 0, "\(py.err)")
        // (The adapter only reads LLM_MEMORY_DISABLED, so it needs only the words for on.)
        #expect(py.out.split(separator: "\n").first?.split(separator: " ").map(String.init) == shLists.first,
                "the adapter's words differ from words.sh: \(py.out)")

        let memory = try PorcelainUser()
        defer { memory.remove() }
        let fish = try memory.porcelain(["shell-init", "fish"]).out.split(separator: "\n")
        #expect(fish.contains { $0 == "set -g __llm_memory_true " + shLists[0].joined(separator: " ") })
        #expect(fish.contains { $0 == "set -g __llm_memory_false " + shLists[1].joined(separator: " ") })
    }
}
