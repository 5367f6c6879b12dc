import ArgumentParser
import MemCLI
import MemKit

@main
struct MemMergeCommand: StageCommand {
    static let configuration = CommandConfiguration(
        commandName: "mem-merge",
        abstract: "Apply a delta (JSON) to the user profile (Markdown).",
        discussion: """
            Reads one delta, as mem-propose prints it, from DELTA or standard input, and \
            applies its ops to the profile (--profile, default: profile.md in the memory \
            dir; a missing profile starts from the default sections). Only the bullets \
            the ops name change; everything else in the file is kept byte for byte.

            Without --in-place, prints the new profile on standard output and writes \
            nothing. With --in-place, replaces the profile atomically (0600) and prints \
            nothing; beside the profile it keeps history/ (earlier versions and \
            journal.jsonl, one line per merge) and writes the delta's "through" to the \
            cursor file.

            A commit killed half-way (history copy, pending record, profile, journal, \
            cursor) is finished or dropped before the next one (see README, mem-merge). \
            --recover does only that, reads no delta and prints what it did on standard \
            error; llm-memory update runs it under the update lock before reading the cursor.

            Reports each skipped op and a summary on standard error. Exit status: 0 ok, \
            64 usage, 65 bad delta or profile (not JSON, not UTF-8, over 1 MiB), \
            66 DELTA missing, 73/74 cannot write, 75 the profile changed meanwhile.
            """,
        version: Version.string)

    /// What one run does: each mode is named by its own option, and only one may be given.
    enum Mode {
        /// Apply a delta (the default).
        case merge
        /// Replace the whole profile with a file's text (--load FILE).
        case load(String)
        /// Reset the profile to the default, empty sections (--clear).
        case clear
        /// Only finish or drop an interrupted commit (--recover).
        case recover
    }

    @Argument(help: ArgumentHelp("A file holding the delta ('-' or omitted: standard input).", valueName: "delta"))
    var deltaFile: String?

    @OptionGroup var profile: ProfileOption

    @Flag(help: "Replace the profile in place (keeping history, journal and cursor) instead of printing it.")
    var inPlace = false

    @Option(help: ArgumentHelp("With --in-place: replace the whole profile with this file's text (checked to be UTF-8 text under 1 MiB) instead of applying a delta. The old profile goes to the history.", valueName: "file"))
    var load: String?

    @Flag(help: "With --in-place: reset the profile to the default, empty sections. The old profile goes to the history.")
    var clear = false

    @Flag(help: "Only finish (or drop) a commit an earlier run was killed in the middle of, and remove its temp files; reads no delta.")
    var recover = false

    @Option(help: ArgumentHelp("The journal's name for a --load (default: load; the porcelain's edit uses 'edit').", valueName: "name"))
    var action: String = "load"

    @Option(help: ArgumentHelp("What to call the --load file in messages (the porcelain loads a private copy of a pipe and names what the user gave).", valueName: "name"))
    var loadName: String?

    @OptionGroup var stage: StageOptions

    /// The modes the options name (at most one is valid).
    private var modes: [Mode] {
        [load.map { Mode.load($0) }, clear ? .clear : nil, recover ? .recover : nil].compactMap { $0 }
    }

    var mode: Mode { modes.first ?? .merge }

    func validate() throws {
        guard modes.count <= 1 else { throw ValidationError("--load, --clear and --recover cannot be used together") }
        switch mode {
        case .merge:
            break
        case .load, .clear:
            if !inPlace { throw ValidationError("--load and --clear need --in-place") }
            if deltaFile != nil { throw ValidationError("--load and --clear take no delta") }
        case .recover:
            if deltaFile != nil { throw ValidationError("--recover takes no delta") }
        }
        if case .load = mode {} else if loadName != nil { throw ValidationError("--load-name goes with --load") }
    }

    func run() throws {
        try stage.run("mem-merge") { () throws(MemError) in
            let store = ProfileStore(profilePath: profile.resolved)
            switch mode {
            case .recover:
                try reportRecovery(store)
            case .load(let file):
                try reportRecovery(store)
                try replaceWhole(store, with: file)
            case .clear:
                try reportRecovery(store)
                try replaceWhole(store, with: nil)
            case .merge:
                if inPlace { try reportRecovery(store) }
                try merge(store)
            }
        }
    }

    /// Finishes or drops a commit a killed run left (mergeInPlace and replaceProfile do
    /// that too; here it is also reported).
    func reportRecovery(_ store: ProfileStore) throws(MemError) {
        if let message = try store.recover().message {
            StandardStreams.report("mem-merge", message)
        }
    }

    /// Applies the delta: in place, or printing the new profile.
    func merge(_ store: ProfileStore) throws(MemError) {
        let deltaBytes: [UInt8]
        if let deltaFile, deltaFile != "-" {
            deltaBytes = try FileSystem.read(deltaFile, limit: 8 << 20)
        } else {
            deltaBytes = try StandardStreams.readStdin(limit: 8 << 20)
        }
        let delta = try Delta(parsing: deltaBytes)
        let result: MergeResult
        if inPlace {
            result = try store.mergeInPlace(delta)
        } else {
            let original = try store.loadBytes()
            result = ProfileMerger.apply(delta, to: original.map { ProfileDocument(bytes: $0) } ?? .default)
        }
        for line in ProfileMerger.reportLines(result) {
            StandardStreams.report("mem-merge", line)
        }
        if !inPlace {
            let bytes = result.document.bytes
            let ok = bytes.withUnsafeBytes { StandardStreams.writeAll(fd: 1, bytes: $0) }
            if !ok { throw MemError(.ioError, "cannot write to standard output: \(lastErrorText())") }
        }
    }

    /// `--load FILE` / `--clear` (file nil): the whole profile replaced, the old one kept
    /// in the history.
    func replaceWhole(_ store: ProfileStore, with file: String?) throws(MemError) {
        let bytes: [UInt8]
        let name: String
        if let file {
            bytes = try FileSystem.read(file, limit: ProfileDocument.maxBytes + 1)
            _ = try ProfileDocument(validating: bytes, name: loadName ?? file)
            name = action
        } else {
            bytes = ProfileDocument.default.bytes
            name = "clear"
        }
        let commit = try store.replaceProfile(with: bytes, action: name)
        StandardStreams.report("mem-merge", commit.wroteProfile
            ? "\(name): profile replaced; the previous version is history/\(commit.previous ?? "(none: there was no profile)")"
            : "\(name): the profile already has this text; nothing changed")
    }
}
