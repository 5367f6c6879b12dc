import Foundation
import Testing

/// A profile of `counts[i]` bullets in each of the four default sections, the last bullet of
/// each section its newest ("- Interests fact 60 of the user").
private func sectionedProfile(_ counts: [Int] = [90, 120, 60, 30]) -> String {
    let names = ["Personal Information", "Current Projects", "Interests", "Preferences"]
    var profile = "# User profile\n"
    for (name, count) in zip(names, counts) {
        profile += "\n## \(name)\n" + (1...count).map { "- \(name) fact \($0) of the user\n" }.joined()
    }
    return profile
}

/// mem-render's budget as a user meets it: the environment variable, the option that
/// overrides it, the one-line summary `status` shows, the JSON for scripts, the notice file.
@Suite struct RenderBudgetCommandTests {
    private func write(_ text: String, in sandbox: Sandbox) throws -> String {
        let path = sandbox.root.appendingPathComponent("p.md").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theBudgetIsLLMMemoryMaxCharsUnlessMaxCharsOverridesIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = try write(sectionedProfile(), in: sandbox)
        var env = sandbox.environment
        let byDefault = try run(Repo.tool("mem-render"), ["--profile", profile], environment: env)
        #expect(byDefault.status == 0)
        #expect(byDefault.out.unicodeScalars.count <= 4000)
        #expect(byDefault.out.unicodeScalars.count > 3800)

        env["LLM_MEMORY_MAX_CHARS"] = "9000"
        let wider = try run(Repo.tool("mem-render"), ["--profile", profile], environment: env)
        #expect(wider.status == 0)
        #expect(wider.out.unicodeScalars.count <= 9000)
        #expect(wider.out.unicodeScalars.count > 8800)
        #expect(wider.err.contains("to fit 9000 characters"))

        let overridden = try run(Repo.tool("mem-render"), ["--profile", profile, "--max-chars", "2000"], environment: env)
        #expect(overridden.status == 0)
        #expect(overridden.out.unicodeScalars.count <= 2000)
        #expect(overridden.err.contains("to fit 2000 characters"))

        // An empty value is unset, as everywhere else.
        env["LLM_MEMORY_MAX_CHARS"] = ""
        #expect(try run(Repo.tool("mem-render"), ["--profile", profile], environment: env).out == byDefault.out)
    }

    @Test func aBadLLMMemoryMaxCharsIsAOneLineUsageErrorAndPrintsNoFragment() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = try write("## A\n- x\n", in: sandbox)
        var env = sandbox.environment
        for bad in ["0", "4k", "-1"] {
            env["LLM_MEMORY_MAX_CHARS"] = bad
            let result = try run(Repo.tool("mem-render"), ["--profile", profile], environment: env)
            #expect(result.status == 64, "\(bad)")
            #expect(result.stdout.isEmpty)
            #expect(result.err == "mem-render: LLM_MEMORY_MAX_CHARS must be a positive whole number of characters (got '\(bad)')\n")
        }
        // --max-chars wins over a bad variable: the user said what they want.
        let overridden = try run(Repo.tool("mem-render"), ["--profile", profile, "--max-chars", "3000"], environment: env)
        #expect(overridden.status == 0)
        #expect(overridden.out.contains("- x\n"))
    }

    @Test func statsPrintsOneLineSayingHowManyBulletsAreInjectedOfHowMany() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = try write(sectionedProfile(), in: sandbox)
        let fragment = try run(Repo.tool("mem-render"), ["--profile", profile], environment: sandbox.environment).out
        let injected = fragment.split(separator: "\n").filter { $0.hasPrefix("- ") }.count
        let stats = try run(Repo.tool("mem-render"), ["--profile", profile, "--stats"], environment: sandbox.environment)
        #expect(stats.status == 0)
        #expect(stats.err.isEmpty)
        #expect(stats.out == "\(injected) of 300 bullets injected (\(fragment.unicodeScalars.count) of 4000 characters; the least recently changed in each section are left out)\n")

        let small = try write("## A\n- one\n- two\n", in: sandbox)
        let all = try run(Repo.tool("mem-render"), ["--profile", small, "--stats"], environment: sandbox.environment)
        #expect(all.out.hasPrefix("all 2 bullets injected ("))
        let none = try run(Repo.tool("mem-render"), ["--profile", sandbox.root.appendingPathComponent("none.md").path, "--stats"],
                           environment: sandbox.environment)
        #expect(none.status == 0)
        #expect(none.out == "nothing is injected (the profile has no content)\n")
    }

    @Test func jsonGivesScriptsTheCountsPerSection() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = try write(sectionedProfile(), in: sandbox)
        let result = try run(Repo.tool("mem-render"), ["--profile", profile, "--json"], environment: sandbox.environment)
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        #expect(object?["bullets"] as? Int == 300)
        #expect(object?["max_chars"] as? Int == 4000)
        #expect(object?["complete"] as? Bool == false)
        let sections = object?["sections"] as? [[String: Any]] ?? []
        #expect(sections.compactMap { $0["name"] as? String } == ["Personal Information", "Current Projects", "Interests", "Preferences"])
        #expect(sections.compactMap { $0["bullets"] as? Int } == [90, 120, 60, 30])
        let injected = sections.compactMap { $0["injected"] as? Int }
        #expect(injected.count == 4 && injected.allSatisfy { $0 > 0 })
        #expect(object?["injected"] as? Int == injected.reduce(0, +))
    }

    @Test func theNoticeFileSaysOnceALineWhenBulletsAreLeftOutAndIsEmptiedWhenAllFit() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let notice = sandbox.root.appendingPathComponent("notice").path
        let big = try write(sectionedProfile(), in: sandbox)
        let over = try run(Repo.tool("mem-render"), ["--profile", big, "--notice-file", notice], environment: sandbox.environment)
        #expect(over.status == 0)
        #expect(over.out.hasPrefix("<!-- llm-user-memory:fragment -->\n"))
        let said = try String(contentsOfFile: notice, encoding: .utf8)
        #expect(said == "the profile has outgrown the fragment's 4000-character budget (LLM_MEMORY_MAX_CHARS): part of it is left out of prompts\n")
        var info = stat()
        #expect(stat(notice, &info) == 0 && info.st_mode & 0o777 == 0o600)

        let small = try write("## A\n- one\n", in: sandbox)
        let fits = try run(Repo.tool("mem-render"), ["--profile", small, "--notice-file", notice], environment: sandbox.environment)
        #expect(fits.status == 0)
        #expect(try String(contentsOfFile: notice, encoding: .utf8).isEmpty)
    }

    /// The 300-bullet profile in the memory dir, recorded by a first mem-merge (as a hand
    /// edit), with its first Personal Information bullet then replaced where it stands, as
    /// an update learning a new role does. Returns the profile's path.
    private func profileWithANewRole(in sandbox: Sandbox) throws -> String {
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let profile = sandbox.memory.profile
        try Data(sectionedProfile().utf8).write(to: URL(fileURLWithPath: profile))
        let delta = #"{"ops":[{"op":"replace","section":"Personal Information","old":"Personal Information fact 1 of the user","text":"Role: Backend engineer at Globex","source":"e1"}],"sources":["e1"],"through":"r1.t0"}"#
        let merge = try run(Repo.tool("mem-merge"), ["--profile", profile, "--in-place"], stdin: Data(delta.utf8),
                            environment: sandbox.environment)
        #expect(merge.status == 0, "\(merge.err)")
        #expect(try String(contentsOfFile: profile, encoding: .utf8).contains("## Personal Information\n- Role: Backend engineer at Globex\n"))
        return profile
    }

    @Test func aFactReplacedWhereItStandsInAnOverBudgetProfileIsInjected() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = try profileWithANewRole(in: sandbox)
        let render = try run(Repo.tool("mem-render"), ["--profile", profile], environment: sandbox.environment)
        #expect(render.status == 0)
        #expect(render.err.hasPrefix("mem-render: left out "))
        #expect(render.out.contains("## Personal Information\n- Role: Backend engineer at Globex\n"))
        // Then the section's newest by position; its oldest untouched bullets are left out.
        #expect(render.out.contains("- Personal Information fact 90 of the user\n"))
        #expect(!render.out.contains("- Personal Information fact 2 of the user\n"))
        let stats = try run(Repo.tool("mem-render"), ["--profile", profile, "--stats"], environment: sandbox.environment)
        #expect(stats.out.contains(" of 300 bullets injected ("))
    }

    @Test func aHistoryThatCannotBeReadLeavesTheOrderToPositionAndNeverStopsTheRender() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = try profileWithANewRole(in: sandbox)
        let recorded = try run(Repo.tool("mem-render"), ["--profile", profile], environment: sandbox.environment).out
        // The same profile with no history beside it: position decides.
        let plain = sandbox.root.appendingPathComponent("plain.md").path
        try FileManager.default.copyItem(atPath: profile, toPath: plain)
        let byPosition = try run(Repo.tool("mem-render"), ["--profile", plain], environment: sandbox.environment).out
        #expect(!byPosition.contains("Globex"))

        // The provenance cache is only a cache: missing or corrupt, the journal rebuilds it.
        let memory = sandbox.memory
        try Data("{\"version\": 1, \"journal_size\": ".utf8).write(to: URL(fileURLWithPath: memory.provenance))
        let corrupt = try run(Repo.tool("mem-render"), ["--profile", profile], environment: sandbox.environment)
        #expect(corrupt.status == 0 && corrupt.out == recorded)
        try FileManager.default.removeItem(atPath: memory.provenance)
        let missing = try run(Repo.tool("mem-render"), ["--profile", profile], environment: sandbox.environment)
        #expect(missing.status == 0 && missing.out == recorded)
        #expect(!FileManager.default.fileExists(atPath: memory.provenance), "mem-render writes nothing")

        // A journal that cannot be read: position order, exit 0, nothing said but what was left out.
        try FileManager.default.removeItem(atPath: memory.journal)
        try FileManager.default.createDirectory(atPath: memory.journal, withIntermediateDirectories: false)
        let unreadable = try run(Repo.tool("mem-render"), ["--profile", profile], environment: sandbox.environment)
        #expect(unreadable.status == 0)
        #expect(unreadable.out == byPosition)
        #expect(unreadable.err.hasPrefix("mem-render: left out ") && unreadable.err.split(separator: "\n").count == 1)
    }
}
