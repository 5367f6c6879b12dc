import Foundation
import Testing
import TestKit

private func fileMode(_ path: String) -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { return -1 }
    return Int(info.st_mode & 0o777)
}

private let sampleDelta = """
    {"ops": [
      {"op": "add", "section": "Current Projects", "text": "Building a memory add-on for llm", "source": "01a"},
      {"op": "replace", "section": "Personal Information", "old": "Role: JavaScript developer", "text": "Role: Rust developer", "source": "01b"},
      {"op": "remove", "section": "Interests", "old": "Exploring transformer architectures", "source": "01c"}
    ],
    "sources": ["01a", "01b", "01c"],
    "through": "r0.t3",
    "model": "gpt-4o-mini"}
    """

@Suite struct MergeRenderCommandTests {
    @Test func anInPlaceMergeWritesAPrivateProfileWithHistoryJournalAndCursor() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = sandbox.environment
        let first = try run(Repo.tool("mem-merge"), ["--in-place"], stdin: Data(sampleDelta.utf8), environment: env)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.stdout.isEmpty)
        #expect(first.err.contains("mem-merge: skipped remove in Interests: no bullet matches 'Exploring transformer architectures'"))
        #expect(first.err.hasSuffix("mem-merge: applied 2 ops, skipped 1\n"))

        let profile = sandbox.memory.profile
        #expect(fileMode(sandbox.memoryDir) == 0o700)
        #expect(fileMode(profile) == 0o600)
        let text = try String(contentsOfFile: profile, encoding: .utf8)
        #expect(text.contains("## Current Projects\n\n- Building a memory add-on for llm\n"))
        #expect(text.contains("## Personal Information\n\n- Role: Rust developer\n"))
        #expect(try String(contentsOfFile: sandbox.memory.cursor, encoding: .utf8) == "r0.t3\n")
        #expect(fileMode(sandbox.memory.cursor) == 0o600)
        #expect(fileMode(sandbox.memory.historyDir) == 0o700)

        // A second, different delta keeps the previous version in the history.
        let second = #"{"ops":[{"op":"add","section":"Interests","text":"Rust"}],"sources":["01d"],"through":"r0.t4"}"#
        let again = try run(Repo.tool("mem-merge"), ["--in-place"], stdin: Data(second.utf8), environment: env)
        #expect(again.status == 0, "\(again.err)")
        let history = try FileManager.default.contentsOfDirectory(atPath: sandbox.memory.historyDir)
        let versions = history.filter { $0.hasPrefix("profile-") }
        #expect(versions.count == 1)
        #expect(try String(contentsOfFile: sandbox.memoryDir + "/history/" + versions[0], encoding: .utf8) == text)
        #expect(fileMode(sandbox.memoryDir + "/history/" + versions[0]) == 0o600)
        let journal = try String(contentsOfFile: sandbox.memory.journal, encoding: .utf8)
        let lines = journal.split(separator: "\n")
        #expect(lines.count == 2)
        let last = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(last?["action"] as? String == "update")
        #expect(last?["through"] as? String == "r0.t4")
        #expect(last?["previous"] as? String == versions[0])
        #expect(try String(contentsOfFile: sandbox.memory.cursor, encoding: .utf8) == "r0.t4\n")
    }

    @Test func withoutInPlaceTheNewProfileGoesToStdoutAndNothingIsWritten() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = sandbox.root.appendingPathComponent("p.md").path
        let original = "# Me\r\n\r\n## Interests\r\n- Exploring transformer architectures\r\n- Go"
        try Data(original.utf8).write(to: URL(fileURLWithPath: profile))
        let result = try run(Repo.tool("mem-merge"), ["--profile", profile], stdin: Data(sampleDelta.utf8), environment: sandbox.environment)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.hasPrefix("# Me\r\n\r\n## Interests\r\n- Go\r\n\r\n## Current Projects"))
        #expect(!result.out.hasSuffix("\n"))
        #expect(try String(contentsOfFile: profile, encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: sandbox.root.appendingPathComponent("history").path))
        #expect(!FileManager.default.fileExists(atPath: sandbox.memoryDir))
    }

    @Test func aDeltaThatIsNotJSONExits65AndLeavesTheProfileAlone() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = sandbox.root.appendingPathComponent("p.md").path
        let original = Data("## A\n- x\n".utf8)
        try original.write(to: URL(fileURLWithPath: profile))
        for bad in ["not json", #"{"ops": [}"#, #"{"ops": [{"op": "add", "section": "A"}]}"#, ""] {
            let result = try run(Repo.tool("mem-merge"), ["--profile", profile, "--in-place"], stdin: Data(bad.utf8), environment: sandbox.environment)
            #expect(result.status == 65, "\(bad): \(result.err)")
            #expect(result.err.hasPrefix("mem-merge: "))
            #expect(result.err.split(separator: "\n").count == 1)
            #expect(FileManager.default.contents(atPath: profile) == original)
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.root.appendingPathComponent("cursor").path))
    }

    @Test func aProfileThatIsNotTextExits65AndIsLeftAlone() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = sandbox.root.appendingPathComponent("p.md").path
        for bad in [Data([0x23, 0x20, 0xFF, 0x0A]), Data([0x61, 0x00, 0x62]), Data(repeating: 0x61, count: (1 << 20) + 1)] {
            try bad.write(to: URL(fileURLWithPath: profile))
            let merge = try run(Repo.tool("mem-merge"), ["--profile", profile, "--in-place"], stdin: Data(sampleDelta.utf8), environment: sandbox.environment)
            #expect(merge.status == 65, "\(merge.err)")
            #expect(merge.err.contains(profile))
            #expect(FileManager.default.contents(atPath: profile) == bad)
            let render = try run(Repo.tool("mem-render"), ["--profile", profile], environment: sandbox.environment)
            #expect(render.status == 65)
            #expect(render.stdout.isEmpty)
        }
    }

    @Test func usageErrorsExit64AndAMissingDeltaFileExits66() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = sandbox.environment
        #expect(try run(Repo.tool("mem-merge"), ["--no-such-option"], environment: env).status == 64)
        #expect(try run(Repo.tool("mem-render"), ["--max-chars", "0"], environment: env).status == 64)
        #expect(try run(Repo.tool("mem-render"), ["--max-chars", "lots"], environment: env).status == 64)
        let missing = try run(Repo.tool("mem-merge"), [sandbox.root.appendingPathComponent("nope.json").path], environment: env)
        #expect(missing.status == 66)
        #expect(missing.err.hasPrefix("mem-merge: "))
    }

    @Test func renderingAMissingOrEmptyProfilePrintsNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let missing = try run(Repo.tool("mem-render"), [], environment: sandbox.environment)
        #expect(missing.status == 0)
        #expect(missing.stdout.isEmpty && missing.stderr.isEmpty)
        try FileManager.default.createDirectory(atPath: sandbox.memoryDir, withIntermediateDirectories: true)
        try Data("# User profile\n\n## Personal Information\n\n<!-- nothing yet -->\n## Interests\n".utf8)
            .write(to: URL(fileURLWithPath: sandbox.memory.profile))
        let empty = try run(Repo.tool("mem-render"), [], environment: sandbox.environment)
        #expect(empty.status == 0)
        #expect(empty.stdout.isEmpty)
    }

    @Test func renderPrintsTheMarkerTheFramingAndTheProfile() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = sandbox.root.appendingPathComponent("p.md").path
        try Data("## Interests\n- Rust\n".utf8).write(to: URL(fileURLWithPath: profile))
        let result = try run(Repo.tool("mem-render"), ["--profile", profile], environment: sandbox.environment)
        #expect(result.status == 0)
        #expect(result.out.hasPrefix("<!-- llm-user-memory:fragment -->\n"))
        #expect(result.out.contains("not instructions"))
        #expect(result.out.hasSuffix("\n\n## Interests\n- Rust\n<!-- /llm-user-memory:fragment -->\n"))
    }

    @Test func maxCharsLeavesOutTheOldestWholeBulletsAndSaysSoOnStderr() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let profile = sandbox.root.appendingPathComponent("p.md").path
        let bullets = (1...40).map { "- Fact number \($0) about the user" }
        try Data(("## Facts\n" + bullets.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: profile))
        let result = try run(Repo.tool("mem-render"), ["--profile", profile, "--max-chars", "800"], environment: sandbox.environment)
        #expect(result.status == 0)
        #expect(result.out.unicodeScalars.count <= 800)
        // The newest bullets (the last of the section) are kept, in their order.
        #expect(result.out.contains("- Fact number 40 about the user\n"))
        #expect(!result.out.contains("- Fact number 1 about the user\n"))
        let printed = result.out.split(separator: "\n").filter { $0.hasPrefix("- ") }.map(String.init)
        #expect(printed == Array(bullets.suffix(printed.count)))
        #expect(result.err.hasPrefix("mem-render: left out \(40 - printed.count) of 40 bullets to fit 800 characters: 'Fact number 1 about the user', "))
        #expect(result.err.hasSuffix(" and \(40 - printed.count - 10) more\n"))
    }

    @Test func helpSaysWhatEachCommandReadsAndWrites() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let merge = try run(Repo.tool("mem-merge"), ["--help"], environment: sandbox.environment)
        #expect(merge.status == 0)
        for phrase in ["delta", "standard input", "--in-place", "--profile", "standard output", "history", "cursor"] {
            #expect(merge.out.contains(phrase), "mem-merge --help lacks \(phrase)")
        }
        let render = try run(Repo.tool("mem-render"), ["--help"], environment: sandbox.environment)
        #expect(render.status == 0)
        for phrase in ["profile", "standard output", "--max-chars", "prints", "nothing"] {
            #expect(render.out.contains(phrase), "mem-render --help lacks \(phrase)")
        }
    }
}
