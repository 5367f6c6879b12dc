import ArgumentParser
import MemCLI
import MemKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct MemHistoryCommand: StageCommand {
    static let configuration = CommandConfiguration(
        commandName: "mem-history",
        abstract: "Read the profile's history: what changed, why a bullet is there; print the delta that undoes or forgets.",
        discussion: """
            Reads the journal mem-merge keeps beside the profile (history/journal.jsonl, \
            one line per change, each with the bullets it changed, the exchanges it came \
            from and the hash of the profile it left), the profile, and llm's logs.db for \
            the user's words (redacted). It writes nothing: undo and forget print a delta \
            for `mem-merge --in-place`, the only writer of the profile and its history.

            A profile edited by hand since the last change shows as a hand edit "not yet \
            recorded", with the id it gets when mem-merge records it (at its next commit, \
            or `mem-merge --recover`).

            Exit status: 0 ok, 1 nothing done on purpose (no bullet matches TEXT, several \
            do without --all, a later change touched the bullets an undo would change), \
            64 usage, 65 no such change, or one that cannot be undone, 66 no history yet \
            (undo), 74 cannot read. A damaged history (the journal missing though one was \
            kept, or a line of it unreadable): log, why and blame show what the rest says \
            with a note; undo and forget change nothing, 66 (missing) or 65 (unreadable).
            """,
        version: Version.string,
        subcommands: [Log.self, Why.self, Blame.self, Undo.self, Forget.self])
}

/// Where the history is, for every subcommand: beside the profile (history/, the lists),
/// and llm's logs.db for the user's words; and the options every tool takes.
struct Place: ParsableArguments {
    @OptionGroup var profile: ProfileOption

    @Option(help: ArgumentHelp("llm's log database, for the user's words (default: logs.db in llm's user dir).", valueName: "path"))
    var db: String?

    @OptionGroup var stage: StageOptions

    var store: ProfileStore { ProfileStore(profilePath: profile.resolved) }

    /// The history as it is. To show (`log`, `why`, `blame`) a damaged one is read as far
    /// as it goes, with a note; to change the profile (`undo`, `forget`) it is refused.
    func state(toChange: Bool = false) throws(MemError) -> HistoryState {
        let state = try HistoryState.load(store)
        if toChange, let damage = state.damage { throw damage.error }
        state.notes.forEach { StandardStreams.report("mem-history", $0) }
        return state
    }

    func lookup() -> ExchangeLookup { ExchangeLookup(databasePath: db ?? MemoryLocation.fromEnvironment().logsDatabase) }
}

/// How to write: for people (with or without colour) or JSON lines.
struct Output: ParsableArguments {
    enum Color: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @Flag(help: "One JSON object per line (stable fields, see the README) instead of text for people.")
    var json = false

    @Option(help: ArgumentHelp("Colour the text: auto (when standard output is a terminal and NO_COLOR is not set), always, never.",
                               valueName: "when"))
    var color: Color = .auto

    var style: HistoryStyle {
        switch color {
        case .always: return HistoryStyle(color: true)
        case .never: return HistoryStyle(color: false)
        case .auto: return HistoryStyle(color: isatty(1) == 1 && (Environment.value("NO_COLOR") ?? "").isEmpty)
        }
    }

    func write(_ text: String, lookup: ExchangeLookup? = nil) throws(MemError) {
        try StandardStreams.writeOut(text)
        if let problem = lookup?.problem { StandardStreams.report("mem-history", problem) }
    }
}

extension Place {
    /// Runs a subcommand's body through the edge every tool shares (`StageOptions.run`).
    func run(_ body: () throws(MemError) -> Void) throws {
        try stage.run("mem-history", body)
    }
}

extension MemHistoryCommand {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The profile's changes, newest first.",
            discussion: """
                Each change: its id, time, what made it (update, backfill, edit, load, \
                clear, undo, forget, hand edit), the bullets it added (+), reworded \
                (~ old → new) and removed (-), and for an update the exchanges it came \
                from — date, model and the user's words on one line, read from logs.db \
                (redacted), or what the journal kept if logs.db no longer has them.
                --json: one object per line: {"id", "time", "action", "recorded", \
                "undoes", "model", "changes": [{"kind", "section", "old", "text", \
                "sources"}], "exchanges": [{"id", "datetime", "model", "conversation", \
                "words", "in_logs"}], "forget", "unforget"}.
                """)

        @OptionGroup var place: Place
        @OptionGroup var output: Output

        @Option(name: .short, help: ArgumentHelp("Show only the newest N changes.", valueName: "n"))
        var n: Int?

        func validate() throws {
            if let n, n < 0 { throw ValidationError("-n must be 0 or more") }
        }

        func run() throws {
            try place.run { () throws(MemError) in
                let state = try place.state()
                if !FileSystem.exists(state.store.journalPath), state.damage == nil {
                    StandardStreams.report("mem-history", "no change recorded yet: \(state.store.journalPath) does not exist")
                }
                let lookup = place.lookup()
                let entries = try state.newest(n ?? Int.max)
                try output.write(HistoryLog.render(entries, lookup: lookup, style: output.style, json: output.json), lookup: lookup)
            }
        }
    }

    struct Why: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Why a bullet is in the profile: the changes that wrote it, and the user's words they came from.",
            discussion: """
                TEXT names the bullets that say the same thing (as tolerantly as mem-merge \
                matches an op's "old": case, spacing, punctuation, a "Key:" prefix) or, if \
                none does, those that contain its words in order. For each: when it was \
                added and each later change (by an update with its exchanges — date, model, \
                conversation, the user's words quoted from logs.db, redacted — or by hand: \
                edit, load, hand edit, undo), and its earlier wordings.
                No bullet matches: exit 1 (`llm memory show` lists them). Several: they are \
                listed and exit 1, unless --all.
                --json: one object per bullet per line: {"section", "text", "events": \
                [{"change", "time", "action", "kind", "text", "previous", "model", \
                "recorded", "exchanges": [...]}]}.
                """)

        @OptionGroup var place: Place
        @OptionGroup var output: Output

        @Argument(help: "Words of the bullet.")
        var text: String

        @Flag(help: "Explain every bullet TEXT names, not only one.")
        var all = false

        func run() throws {
            try place.run { () throws(MemError) in
                let state = try place.state()
                let matches = MemKit.Why.matches(text, in: state)
                guard !matches.isEmpty else {
                    throw MemError(.refused, "no bullet matches '\(text)'; `llm memory show` lists the profile")
                }
                if matches.count > 1, !all {
                    throw MemError(.refused, "\(matches.count) bullets match '\(text)': "
                                   + matches.map { "'\($0.bullet.text)'" }.joined(separator: ", ") + " (give more of the text, or --all)")
                }
                let lookup = place.lookup()
                try output.write(MemKit.Why.render(matches, recordedThrough: state.recorded.lastID, lookup: lookup,
                                                   style: output.style, json: output.json), lookup: lookup)
            }
        }
    }

    struct Blame: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The whole profile, each bullet with the change that last wrote it (llm memory show --why).",
            discussion: """
                Every line of the profile; beside each bullet, "#ID DATE WHAT" of the change \
                that last wrote it — an update (with its model), or a hand edit, load, \
                edit, undo — with * when that hand edit is not yet recorded.
                --json: one object per line: {"line", "text", "bullet": null or \
                {"section", "text", "change", "time", "action", "model", "recorded", "sources"}}.
                """)

        @OptionGroup var place: Place
        @OptionGroup var output: Output

        func run() throws {
            try place.run { () throws(MemError) in
                let state = try place.state()
                guard state.profileBytes != nil else {
                    throw MemError(.noInput, "there is no profile yet (\(state.store.profilePath))")
                }
                try output.write(MemKit.Why.blame(state, style: output.style, json: output.json))
            }
        }
    }

    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the delta that undoes the newest change, or change ID (for mem-merge --in-place).",
            discussion: """
                What the change added goes, what it replaced or removed comes back; a \
                forget's texts come off the forgotten list. Works for every kind of change \
                (update, backfill, edit, load, clear, forget, undo, hand edit). The delta \
                (JSON, "action": "undo", "undoes": ID) is for `mem-merge --in-place`, which \
                applies and journals it; for an update it lists the exchanges \
                ("undone_sources") that mem-merge adds to the memory dir's `undone` list, \
                which a backfill leaves out.
                A later change that touched the same bullets: exit 1 naming it, nothing \
                printed, unless --force. No such change: exit 65. No history: exit 66.
                """)

        @OptionGroup var place: Place

        @Argument(help: ArgumentHelp("The change to undo, as `log` shows it (default: the newest).", valueName: "id"))
        var id: Int?

        @Flag(help: "Undo even when a later change touched the same bullets.")
        var force = false

        func validate() throws {
            if let id, id < 1 { throw ValidationError("a change id is a number from 1") }
        }

        func run() throws {
            try place.run { () throws(MemError) in
                let state = try place.state(toChange: true)
                let (delta, summary) = try MemKit.Undo.delta(state, id: id, force: force)
                try StandardStreams.writeOut(delta.json.prettySerialized() + "\n")
                StandardStreams.report("mem-history", summary)
            }
        }
    }

    struct Forget: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a text: print the delta that removes the bullets it names and keeps it from being learned again.",
            discussion: """
                The forgotten list is the plain file `forgotten` beside the profile (one \
                text per line, # comments, 0600, yours to edit). mem-merge skips any op of \
                a later update or backfill that would add a bullet matching one of its \
                texts (or reword a bullet into one), and says so.
                forget TEXT: a delta ("action": "forget") removing the bullets TEXT names \
                (several only with --all; none: exit 1, unless --anyway) and adding TEXT \
                to the list, for \
                `mem-merge --in-place`. --list: the list's texts, one per line (--json: \
                one JSON string per line). --undo TEXT: a delta taking TEXT off the list.
                """)

        @OptionGroup var place: Place

        @Argument(help: "Words of the bullet(s) to forget (with --undo: of the list entry to take off).")
        var text: String?

        @Flag(help: "Print the forgotten list.")
        var list = false

        @Flag(name: .customLong("undo"), help: "Take TEXT off the forgotten list (print that delta).")
        var unforget = false

        @Flag(help: "Act on every bullet (or entry) TEXT names, not only one.")
        var all = false

        @Flag(help: "Put TEXT on the forgotten list even when no bullet names it now (without it, that is refused: exit 1).")
        var anyway = false

        @Flag(help: "With --list: one JSON string per line.")
        var json = false

        func validate() throws {
            if list, text != nil || unforget { throw ValidationError("--list takes no TEXT and no --undo") }
            if !list, text == nil { throw ValidationError("give the TEXT to forget (or --list)") }
            if json, !list { throw ValidationError("--json goes with --list") }
            if anyway, list || unforget { throw ValidationError("--anyway goes with forget TEXT, not --list or --undo") }
        }

        func run() throws {
            try place.run { () throws(MemError) in
                let forgotten = TextListFile.forgotten(inDirectory: place.store.directory)
                if list {
                    let entries = try forgotten.entries()
                    try StandardStreams.writeOut(entries.map { (json ? JSONValue.string($0).serialized() : $0) + "\n" }.joined())
                    return
                }
                let text = text ?? ""
                let (delta, summary) = unforget
                    ? try MemKit.Forget.unforgetDelta(text, list: forgotten, all: all)
                    : try MemKit.Forget.delta(text, in: place.state(toChange: true), all: all, anyway: anyway)
                try StandardStreams.writeOut(delta.json.prettySerialized() + "\n")
                StandardStreams.report("mem-history", summary)
            }
        }
    }
}
