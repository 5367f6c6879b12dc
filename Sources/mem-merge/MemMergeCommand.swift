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

            Every change is journalled with its provenance: an id, its action (update, \
            backfill, edit, load, clear, undo, forget, hand-edit), the bullets it added, \
            reworded and removed, the exchanges they came from (the delta's "exchanges") \
            and the SHA-256 of the profile it left. A profile edited by hand since the \
            last change is journalled first as a "hand-edit" change. mem-history reads \
            all this (log, why, blame) and prints the deltas for undo and forget.

            Two rules hold whatever the delta says, each skipped op reported with its \
            reason: in an update or backfill, an op that would add (or reword a bullet \
            into) a text of the forgotten list (the file `forgotten` beside the profile) \
            is skipped; a replace or remove whose exchange ("source_time", or its entry \
            in "exchanges") is older than what the bullet it would change was learned \
            from, or than the hand change that wrote it, is skipped (the present wins). \
            A delta's "forget" / "unforget" texts are added to / taken off that list, and \
            "undone_sources" added to the `undone` list, as part of the commit.

            A commit killed half-way (history copy, pending record, profile, journal, \
            cursor) is finished or dropped before the next one (see README, mem-merge). \
            --recover does only that (and records a hand edit), reads no delta and prints \
            what it did on standard error; llm-memory update runs it under the update lock \
            before reading the cursor.

            Reports each skipped op and a summary on standard error. Exit status: 0 ok, \
            64 usage, 65 bad delta or profile (not JSON, not UTF-8, over 1 MiB), \
            66 DELTA missing, 73/74 cannot write, 75 the profile changed meanwhile. \
            An undo of a change the journal does not have: 65. A damaged history \
            (history/journal.jsonl missing though a history was kept, or a line of it \
            unreadable) changes nothing, --recover included: 66 missing, 65 unreadable, \
            with one line saying how to repair it; --load over a missing journal starts \
            a new history.
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

    /// The journal's names for a whole-profile replacement by --load.
    enum LoadAction: String, ExpressibleByArgument, CaseIterable { case load, edit }

    @Option(help: ArgumentHelp("The journal's name for a --load: load or edit (the porcelain's edit).", valueName: "name"))
    var action: LoadAction = .load

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
            let recorder = ChangeRecorder(profilePath: profile.resolved)
            switch mode {
            case .recover:
                try reportRecovery(recorder)
            case .load(let file):
                try replaceWhole(recorder, with: file)
            case .clear:
                try replaceWhole(recorder, with: nil)
            case .merge:
                try merge(recorder)
            }
        }
    }

    /// Finishes or drops a commit a killed run left and journals a hand edit, saying so.
    /// (Every commit does this first anyway; an in-place run does it here, once its input
    /// is known to be good, to report it.)
    func reportRecovery(_ recorder: ChangeRecorder) throws(MemError) {
        let recovered = try recorder.recover()
        if let message = recovered.recovery.message { StandardStreams.report("mem-merge", message) }
        recovered.notes.forEach { StandardStreams.report("mem-merge", $0) }
        // A damaged history stops an update before it reads anything (no model is asked
        // for what could not be committed). An in-place run's commit fails with it.
        if case .recover = mode, let damage = recovered.damage { throw damage.error }
        // (An in-place run's commit records the hand edit first, and fails with its error.)
        if case .recover = mode, let problem = recovered.handEditProblem { StandardStreams.report("mem-merge", problem) }
        if let handEdit = recovered.handEdit, let changes = handEdit.changes {
            StandardStreams.report("mem-merge", "recorded a hand edit of the profile as change \(handEdit.id) (\(changes.count) bullet change\(changes.count == 1 ? "" : "s"))")
        }
    }

    /// Applies the delta: in place (recovering first), or printing the new profile.
    func merge(_ recorder: ChangeRecorder) throws(MemError) {
        let deltaBytes: [UInt8]
        if let deltaFile, deltaFile != "-" {
            deltaBytes = try FileSystem.read(deltaFile, limit: 8 << 20)
        } else {
            deltaBytes = try StandardStreams.readStdin(limit: 8 << 20)
        }
        let delta = try Delta(parsing: deltaBytes)
        if inPlace { try reportRecovery(recorder) }
        let result = inPlace ? try recorder.mergeInPlace(delta) : try recorder.preview(delta)
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
    func replaceWhole(_ recorder: ChangeRecorder, with file: String?) throws(MemError) {
        let bytes: [UInt8]
        let name: String
        if let file {
            bytes = try FileSystem.read(file, limit: ProfileDocument.maxBytes + 1)
            _ = try ProfileDocument(validating: bytes, name: loadName ?? file)
            name = action.rawValue
        } else {
            bytes = ProfileDocument.default.bytes
            name = "clear"
        }
        try reportRecovery(recorder)
        let commit = try recorder.replaceProfile(with: bytes, action: name)
        StandardStreams.report("mem-merge", commit.wroteProfile
            ? "\(name): profile replaced; the previous version is history/\(commit.previous ?? "(none: there was no profile)")"
            : "\(name): the profile already has this text; nothing changed")
    }
}
