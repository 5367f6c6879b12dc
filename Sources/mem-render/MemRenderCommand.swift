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
            profile without its HTML comments and empty headings. Writes no files.

            A missing or empty profile (only headings, blank lines and comments) prints \
            nothing and exits 0. To fit --max-chars, whole bullets are dropped from the \
            end of the profile upwards (and reported on standard error); lines are never cut.

            Exit status: 0 ok, 64 usage, 65 the profile is not UTF-8 text or is over 1 MiB, \
            74 cannot read it.
            """,
        version: Version.string)

    @OptionGroup var profile: ProfileOption

    @Option(help: ArgumentHelp("The longest fragment to print, in characters (Unicode scalars).", valueName: "n"))
    var maxChars: Int = FragmentRenderer.defaultMaxChars

    @OptionGroup var stage: StageOptions

    func validate() throws {
        guard maxChars > 0 else { throw ValidationError("--max-chars must be a positive number of characters") }
    }

    func run() throws {
        try stage.run("mem-render") { () throws(MemError) in
            let document = try ProfileFile.read(path: profile.resolved)
            let fragment = FragmentRenderer.render(document, maxChars: maxChars)
            for line in fragment.reportLines(maxChars: maxChars) {
                StandardStreams.report("mem-render", line)
            }
            if !fragment.text.isEmpty {
                try StandardStreams.writeOut(fragment.text)
            }
        }
    }
}
