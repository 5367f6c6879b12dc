import Foundation
import Testing
import TestKit

extension Repo {
    /// The wheel under test: `$LLM_MEMORY_WHEEL` (`make test` names the one it has just
    /// built; a name that is not there fails the test), else the only wheel in dist/
    /// (`make wheel`), else none and the suite is skipped.
    static var wheel: String? {
        if let named = ProcessInfo.processInfo.environment["LLM_MEMORY_WHEEL"], !named.isEmpty {
            return named
        }
        let dist = root.appendingPathComponent("dist")
        let wheels = ((try? FileManager.default.contentsOfDirectory(atPath: dist.path)) ?? [])
            .filter { $0.hasPrefix("llm_user_memory_plugin-") && $0.hasSuffix(".whl") }
        return wheels.count == 1 ? dist.appendingPathComponent(wheels[0]).path : nil
    }

    /// The trees `make wheel` puts inside the package, as they are in the repository.
    static let packagedTrees = ["bin", "lib", "share"]
}

/// The wheel of `make wheel`, installed the way users install an llm plugin: into a fresh
/// venv with the pinned llm 0.36 and llm-echo, by `llm install <wheel>` and nothing else,
/// in a path with a space (the porcelain then lives in site-packages under it). Every
/// step runs with PATH holding only the venv's bin and /usr/bin:/bin.
@Suite(.enabled(if: Repo.wheel != nil, "needs a wheel in dist/ (make wheel)"))
struct WheelTests {

    /// The plugin tests' profile and their reading of the echo model's reply.
    static let profileText = PluginAdapterTests.profileText
    static func echoed(_ result: RunResult) throws -> (prompt: String, system: String) {
        try PluginAdapterTests.echoed(result)
    }

    /// A fresh venv under `<sandbox>/my tools/venv`, with the pinned llm installed by pip
    /// (from PyPI or pip's cache, as scripts/setup-test-env.sh does).
    static func makeVenv(in sandbox: Sandbox) throws -> String {
        let venv = sandbox.root.appendingPathComponent("my tools/venv").path
        var env = ProcessInfo.processInfo.environment
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        let python = env["PYTHON"] ?? "python3"
        let create = try run("/usr/bin/env", [python, "-m", "venv", venv], environment: env)
        try #require(create.status == 0, "\(create.err)")
        let pip = try run(venv + "/bin/pip", ["install", "--quiet", "-r",
                                              Repo.root.appendingPathComponent("Tests/Support/requirements-llm-0.36.txt").path],
                          environment: env)
        try #require(pip.status == 0, "\(pip.err)")
        return venv
    }

    /// Every regular file under `dir`, by path relative to it.
    static func files(under dir: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return [] }
        return walker.compactMap { $0 as? String }.filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: dir + "/" + $0, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }

    @Test func llmInstallOfTheWheelIsTheWholeSetUpAndLLMUninstallLeavesLLMWorking() throws {
        let wheel = try #require(Repo.wheel)
        try #require(FileManager.default.fileExists(atPath: wheel), "no wheel at \(wheel)")
        #if os(Linux) && arch(x86_64)
        // Static executables: the manylinux baseline their kernel floor allows (hatch_build.py).
        #expect(wheel.hasSuffix("-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"), "\(wheel)")
        #endif
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let venv = try Self.makeVenv(in: sandbox)
        let llm = venv + "/bin/llm"
        var env = sandbox.environment
        env["PATH"] = "\(venv)/bin:/usr/bin:/bin"
        env["LLM_MEMORY_UPDATES"] = "false"  // no detached update outliving the test
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        func sh(_ script: String, stdin: Data? = nil, env extra: [String: String] = [:]) throws -> RunResult {
            try run("/bin/sh", ["-c", script], stdin: stdin, environment: env.merging(extra) { $1 })
        }

        // llm install: nothing else is needed.
        let install = try run(llm, ["install", wheel], environment: env)
        try #require(install.status == 0, "\(install.err)")
        let located = try run(venv + "/bin/python", ["-c", "import os, llm_user_memory_adapter as a; print(os.path.dirname(a.__file__))"],
                              environment: env)
        let package = located.out.trimmingCharacters(in: .newlines)
        let packageBin = package + "/bin"
        #expect(package.contains("/my tools/venv/lib/"), "\(located.out) \(located.err)")

        // The package holds the tools, executable after pip's install, and bin/, lib/ and
        // share/ byte for byte as in the repository, modes included.
        for tool in Repo.tools + ["llm-memory"] {
            #expect(FileManager.default.isExecutableFile(atPath: packageBin + "/" + tool), "\(tool)")
        }
        for tree in Repo.packagedTrees {
            let source = Repo.root.appendingPathComponent(tree).path
            for file in Self.files(under: source) {
                let installed = package + "/" + tree + "/" + file
                #expect(FileManager.default.contents(atPath: installed) == FileManager.default.contents(atPath: source + "/" + file),
                        "\(tree)/\(file)")
                #expect(FileManager.default.isExecutableFile(atPath: installed)
                        == FileManager.default.isExecutableFile(atPath: source + "/" + file), "\(tree)/\(file)")
            }
        }

        // llm memory status / load / show, through the plugin's command.
        let status = try sh("llm memory status")
        #expect(status.status == 0, "\(status.err)")
        #expect(status.out.contains("tools:          \(packageBin)/\n"), "\(status.out)")
        let load = try sh("llm memory load -", stdin: Data(Self.profileText.utf8))
        #expect(load.status == 0, "\(load.err)")
        #expect(try sh("llm memory show").out == Self.profileText)

        // memory:auto carries the loaded profile, as the wheel's mem-render renders it.
        let rendered = try run(packageBin + "/mem-render", ["--profile", sandbox.memory.profile], environment: env)
        #expect(rendered.status == 0 && rendered.out.contains("- Sailing on Lake Constance"), "\(rendered.err)")
        let auto = try sh("llm --sf memory:auto -m echo hi")
        #expect(auto.status == 0, "\(auto.err)")
        #expect(try Self.echoed(auto).system == rendered.out.trimmingCharacters(in: .whitespacesAndNewlines))

        // An update by the wheel's tools (the offline extractor: no model call).
        #expect(try sh("llm -m echo \"I'm a Rust developer and I live in Lisbon\"").status == 0)
        let update = try sh("llm memory update", env: ["LLM_MEMORY_MODEL": "local"])
        #expect(update.status == 0, "\(update.err)")
        #expect(try sh("llm memory show").out.contains("- Lives in Lisbon\n"))

        // The plumbing, reached the README's way.
        #expect(try sh("llm memory path --tools").out == packageBin + "\n")
        let plumbing = try sh(#"export PATH="$(llm memory path --tools):$PATH" && mem-render --profile "$(llm-memory path)""#)
        #expect(plumbing.status == 0, "\(plumbing.err)")
        #expect(plumbing.out.contains("- Lives in Lisbon"))

        // install-shell: the rc block names the porcelain in site-packages; an interactive
        // bash's llm carries the profile, through memory:auto (the plugin is seen beside llm).
        let installShell = try sh("llm memory install-shell bash")
        #expect(installShell.status == 0, "\(installShell.err)")
        let bashrc = sandbox.home + "/.bashrc"
        #expect(try String(contentsOfFile: bashrc, encoding: .utf8).contains("'\(packageBin)/llm-memory'"))
        let wrapped = try run("/bin/bash", ["-ic", "llm -m echo hi"], environment: env)
        #expect(wrapped.status == 0, "\(wrapped.err)")
        #expect(try Self.echoed(wrapped).prompt == "hi")
        #expect(try Self.echoed(wrapped).system.contains("- Lives in Lisbon"))
        #expect(try Self.echoed(wrapped).system.contains("- Sailing on Lake Constance"))
        let extracted = try run(packageBin + "/mem-extract", [], environment: env)
        let last = try #require(try extracted.out.split(separator: "\n").last.map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        } ?? nil)
        #expect((last["fragments"] as? [[String: Any]])?.compactMap { $0["source"] as? String } == ["memory:auto"])

        // llm uninstall in that shell: the next llm calls there work, without memory, and
        // say so once — also calls in a pipeline, which run in a subshell; a new shell's
        // block does nothing.
        let uninstall = try run("/bin/bash", ["-ic", "llm uninstall llm-user-memory-plugin -y >/dev/null"
                                    + " && llm -m echo one | cat >/dev/null && llm -m echo two | cat >/dev/null && llm -m echo hi"],
                                environment: env)
        #expect(uninstall.status == 0, "\(uninstall.err)")
        #expect(try Self.echoed(uninstall).prompt == "hi")
        #expect(try Self.echoed(uninstall).system == "")
        #expect(uninstall.err.components(separatedBy: "llm runs without memory").count == 2, "\(uninstall.err)")
        #expect(!FileManager.default.fileExists(atPath: package))
        #expect(try run("/bin/bash", ["-ic", "type -t llm"], environment: env).out == "file\n")
        let newShell = try run("/bin/bash", ["-ic", "llm -m echo hi"], environment: env)
        #expect(newShell.status == 0, "\(newShell.err)")
        #expect(try Self.echoed(newShell).prompt == "hi")
        #expect(try Self.echoed(newShell).system == "")
        #expect(!newShell.err.contains("llm-memory"), "\(newShell.err)")

        // A source install's porcelain removes the block; the profile was never touched.
        let uninstallShell = try run(Repo.porcelain, ["uninstall-shell", "bash"], environment: env)
        #expect(uninstallShell.status == 0, "\(uninstallShell.err)")
        #expect(!FileManager.default.fileExists(atPath: bashrc))
        #expect(try String(contentsOfFile: sandbox.memory.profile, encoding: .utf8).contains("- Lives in Lisbon"))
    }
}

/// Where the porcelain and its tools live: `path --tools` says where the tools are, and
/// `install-shell` makes the shell run the porcelain it was run from.
@Suite struct PorcelainLocationTests {
    @Test func pathToolsPrintsTheDirectoryOfTheToolsBesideThePorcelain() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let bin = try sandbox.makeBin()
        var env = sandbox.environment
        env["PATH"] = "/usr/bin:/bin"
        let path = try run(bin + "/llm-memory", ["path", "--tools"], environment: env)
        #expect(path.status == 0, "\(path.err)")
        #expect(path.out == bin + "\n")
    }

    @Test func pathToolsWithoutToolsAnywhereExits69() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let bin = try sandbox.makeBin()
        try FileManager.default.removeItem(atPath: bin + "/mem-extract")
        var env = sandbox.environment
        env["PATH"] = "/usr/bin:/bin"
        let path = try run(bin + "/llm-memory", ["path", "--tools"], environment: env)
        #expect(path.status == 69)
        #expect(path.out == "")
        #expect(path.err.contains("not installed"), "\(path.err)")
    }

    /// Switching from `make install` to the wheel (or to a wheel under another Python):
    /// the block that ran the old porcelain is replaced, the user's file kept as it was.
    @Test func installShellFromAnotherPlaceReplacesTheBlockThatRanTheOldOne() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let old = try sandbox.makeBin("old place")
        let new = try sandbox.makeBin("new place")
        let bashrc = sandbox.home + "/.bashrc"
        let mine = "# my settings\nexport EDITOR=vi"
        try Data(mine.utf8).write(to: URL(fileURLWithPath: bashrc))
        let env = sandbox.environment
        #expect(try run(old + "/llm-memory", ["install-shell", "bash"], environment: env).status == 0)

        let replace = try run(new + "/llm-memory", ["install-shell", "bash"], environment: env)
        #expect(replace.status == 0, "\(replace.err)")
        #expect(replace.err.contains("runs another llm-memory"), "\(replace.err)")
        let text = try String(contentsOfFile: bashrc, encoding: .utf8)
        #expect(text.hasPrefix(mine + "\n# >>> llm-user-memory >>>"), "\(text)")
        #expect(text.components(separatedBy: "# >>> llm-user-memory >>>").count == 2, "\(text)")
        #expect(text.contains("'\(new)/llm-memory'") && !text.contains("'\(old)/llm-memory'"), "\(text)")
        #expect(FileManager.default.contents(atPath: bashrc + ".llm-memory.bak") == Data(mine.utf8))

        let again = try run(new + "/llm-memory", ["install-shell", "bash"], environment: env)
        #expect(again.err.contains("already installed"), "\(again.err)")
        #expect(try String(contentsOfFile: bashrc, encoding: .utf8) == text)
        #expect(try run(new + "/llm-memory", ["uninstall-shell", "bash"], environment: env).status == 0)
        #expect(FileManager.default.contents(atPath: bashrc) == Data(mine.utf8))
        #expect(!FileManager.default.fileExists(atPath: bashrc + ".llm-memory.bak"))
    }
}
