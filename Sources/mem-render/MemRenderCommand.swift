import ArgumentParser
import MemKit

@main
struct MemRenderCommand: ParsableCommand {
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
            """)

    @Option(help: ArgumentHelp("The profile to render (default: $LLM_MEMORY_DIR/profile.md).", valueName: "path"))
    var profile: String?

    @Option(help: ArgumentHelp("The longest fragment to print, in characters (Unicode scalars).", valueName: "n"))
    var maxChars: Int = FragmentRenderer.defaultMaxChars

    func validate() throws {
        guard maxChars > 0 else { throw ValidationError("--max-chars must be a positive number of characters") }
    }

    func run() throws {
        let status = Stage.run("mem-render") { () throws(MemError) in try render() }
        if status != 0 { throw ExitCode(status) }
    }

    func render() throws(MemError) {
        let path = profile ?? MemoryLocation.fromEnvironment().profile
        let document = try ProfileFile.read(path: path)
        let fragment = FragmentRenderer.render(document, maxChars: maxChars)
        for line in fragment.reportLines(maxChars: maxChars) {
            StandardStreams.report("mem-render", line)
        }
        if !fragment.text.isEmpty {
            try StandardStreams.writeOut(fragment.text)
        }
    }
}
