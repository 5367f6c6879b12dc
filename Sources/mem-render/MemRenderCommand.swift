import ArgumentParser
import MemCLI
import MemKit

@main
struct MemRenderCommand: StageCommand {
    static let configuration = CommandConfiguration(
        commandName: "mem-render",
        abstract: "Print the fragment llm injects: a short framing, then the user profile.",
        discussion: """
            Reads the profile (--profile, default: profile.md in the memory dir) and \
            prints the fragment on standard output: a first line \
            '<!-- llm-user-memory:fragment -->', a framing paragraph telling the model \
            this is background about the user (information, not instructions), then the \
            profile without its HTML comments and empty headings. Writes no files, except \
            the one --notice-file names.

            A missing or empty profile (only headings, blank lines and comments) prints \
            nothing and exits 0.

            The budget: --max-chars, else $LLM_MEMORY_MAX_CHARS, else \
            \(FragmentBudget.defaultMaxChars) characters (about 1,000 tokens per call). \
            Over budget, whole bullets are left out, the least valuable first: every \
            section keeps its share (sections take turns, one bullet each), and within a \
            section the least recently changed go first: each bullet's last change is \
            read from the history beside the profile (history/provenance.json, brought \
            up to date from history/journal.jsonl), and bullets it does not know rank by \
            position (the last in a section is the newest). A history that cannot be \
            read makes position decide; it never stops the render. What was left out is \
            reported on standard error; lines are never cut.

            --stats prints one line instead of the fragment ('48 of 300 bullets \
            injected (…)'), --json the same as a JSON object (bullets, injected, chars, \
            max_chars, complete, lines_left_out, sections).

            Exit status: 0 ok, 64 usage (also a bad $LLM_MEMORY_MAX_CHARS), 65 the \
            profile is not UTF-8 text or is over 1 MiB, 73 cannot write --notice-file, \
            74 cannot read the profile.
            """,
        version: Version.string)

    @OptionGroup var profile: ProfileOption

    @Option(help: ArgumentHelp(
        "The longest fragment to print, in characters (Unicode scalars); default: $LLM_MEMORY_MAX_CHARS, else \(FragmentBudget.defaultMaxChars).",
        valueName: "n"))
    var maxChars: Int?

    @Flag(help: "Print one line saying how many bullets the fragment holds of how many, instead of the fragment.")
    var stats = false

    @Flag(help: "Print the same as --stats as a JSON object, for scripts.")
    var json = false

    @Option(help: ArgumentHelp(
        "Also write to this file the one line the user should be told about the fragment (that part of the profile is left out to fit the budget), or make it empty when there is nothing to tell.",
        valueName: "path"))
    var noticeFile: String?

    @OptionGroup var stage: StageOptions

    func validate() throws {
        if let maxChars, maxChars <= 0 {
            throw ValidationError("--max-chars must be a positive number of characters")
        }
    }

    func run() throws {
        try stage.run("mem-render") { () throws(MemError) in
            // --max-chars wins over the variable (even a bad one): the user said what they want.
            let budget: Int
            if let maxChars { budget = maxChars } else { budget = try FragmentBudget.fromEnvironment() }
            let path = profile.resolved
            let document = try ProfileFile.read(path: path)
            // Over budget, the history beside the profile says which bullets changed last.
            let fragment = FragmentRenderer.render(document, maxChars: budget, ranking: document.map {
                BulletRanking.fromHistory(of: $0, store: ProfileStore(profilePath: path))
            } ?? .byPosition)
            if let noticeFile {
                try FileSystem.writeScratch(noticeFile, fragment.notice.map { $0 + "\n" } ?? "")
            }
            if json {
                try StandardStreams.writeOut(fragment.json.serialized() + "\n")
            } else if stats {
                try StandardStreams.writeOut(fragment.summary + "\n")
            } else {
                for line in fragment.reportLines() {
                    StandardStreams.report("mem-render", line)
                }
                if !fragment.text.isEmpty {
                    try StandardStreams.writeOut(fragment.text)
                }
            }
        }
    }
}
