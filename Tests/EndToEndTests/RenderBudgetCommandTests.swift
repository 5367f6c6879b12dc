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
        #expect(stats.out == "\(injected) of 300 bullets injected (\(fragment.unicodeScalars.count) of 4000 characters; the oldest in each section are left out)\n")

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
}
