import ArgumentParser
import MemCLI
import MemKit

@main
struct MemBackfillCommand: StageCommand {
    static let configuration = CommandConfiguration(
        commandName: "mem-backfill",
        abstract: "Plan and follow a backfill: learning, on purpose, from what llm logged before memory started.",
        discussion: """
            Memory learns from the exchanges logged after its starting point (the memory \
            dir's `origin`, fixed when it was set up); what lies at or before it is learned \
            only by `llm memory backfill`, which makes normal update passes (mem-extract → \
            mem-propose --backfill → mem-merge, whose commit moves `backfill-cursor`). This \
            tool decides what the porcelain cannot: what reading the range would cost \
            (estimate), which stretch the next pass reads (next), how far it has got \
            (progress) and what status says (status). It reads the memory dir \
            ($LLM_MEMORY_DIR, else <llm user dir>/memory) and llm's logs.db (read-only); \
            only `next` writes (the `backfill` file).

            Exit status: 0 ok, 64 usage, 65 a memory file or the log is not what it should \
            be, 66 memory has no starting point yet, 74 I/O error, 75 the log is locked.
            """,
        version: Version.string,
        subcommands: [Estimate.self, Next.self, Progress.self, Status.self])
}

/// What every subcommand takes: llm's log, the edge every tool shares.
struct Place: ParsableArguments {
    @Option(help: ArgumentHelp("llm's log database.", discussion: "Default: logs.db in $LLM_USER_PATH, else in llm's user dir.", valueName: "path"))
    var db: String?

    @OptionGroup var stage: StageOptions

    var context: Backfill.Context {
        var context = Backfill.Context.fromEnvironment()
        if let db { context.databasePath = db }
        return context
    }

    func run(_ body: () throws(MemError) -> Void) throws {
        try stage.run("mem-backfill", body)
    }
}

/// `--since DATE | --last N`: the part of the history before memory started to read.
struct RangeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only what was logged since this date (2025-06-01, or 2025-06-01T09:00:00; UTC).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Only the newest N exchanges from before memory started.", valueName: "n"))
    var last: Int?

    func validate() throws {
        if since != nil, last != nil { throw ValidationError("--since and --last cannot be used together") }
        if let last, last < 1 { throw ValidationError("--last must be 1 or more") }
    }

    func range() throws(MemError) -> BackfillRange {
        if let since { return try BackfillRange.since(parsing: since) }
        if let last { return .last(last) }
        return .all
    }
}

extension MemBackfillCommand {
    struct Estimate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a backfill would read and send, before anything is sent.",
            discussion: """
                Exchanges in the range, those read by an earlier backfill, and of the rest: \
                off the record, undone, without typed text, left by the gate, to send; then, \
                per model they would go to (each only to its own, unless a memory model is \
                chosen: --model, LLM_MEMORY_MODEL, `llm memory model`), the model calls and the \
                characters (about 4 a token) — the passes played as `llm memory backfill` makes \
                them ($LLM_MEMORY_BATCH exchanges a pass, the budget per call). Nothing is sent.
                --json: {"origin", "origin_time", "range": {"kind", "since", "last"}, "in_range", \
                "read_before", "left", "off_record", "undone", "no_text", "gated_out", "to_send", \
                "first_time", "last_time", "memory_model", "memory_model_from", "calls", \
                "characters", "tokens", "batch", "budget", "models": [{"model", "exchanges", \
                "calls", "characters", "tokens"}]}.
                """)

        @OptionGroup var place: Place
        @OptionGroup var range: RangeOptions

        @Option(help: ArgumentHelp("The memory model for this backfill (default: as mem-propose chooses); \"local\": the offline extractor.", valueName: "id"))
        var model: String?

        @Option(help: ArgumentHelp("Exchanges read per pass (default: LLM_MEMORY_BATCH, else 200).", valueName: "n"))
        var batch: Int?

        @Option(help: ArgumentHelp("Characters of exchange text one call takes (default: LLM_MEMORY_BUDGET, else 12000).", valueName: "chars"))
        var budget: Int?

        @Flag(help: "Print the estimate as JSON.")
        var json = false

        func validate() throws {
            if let batch, batch < 1 { throw ValidationError("--batch must be 1 or more") }
            if let budget, budget < 1 { throw ValidationError("--budget must be 1 or more") }
            if let model, model.trimmingWhitespace().isEmpty { throw ValidationError("--model must not be empty") }
        }

        func run() throws {
            try place.run { () throws(MemError) in
                var options = Backfill.EstimateOptions()
                options.range = try range.range()
                options.model = model
                if let batch {
                    options.batch = batch
                } else if let batch = try Self.batchFromEnvironment() {
                    options.batch = batch
                }
                if let budget {
                    options.limits.budgetChars = budget
                } else if let chars = try UpdatePrompt.Limits.budgetFromEnvironment() {
                    options.limits.budgetChars = chars
                }
                let estimate = try Backfill.estimate(options, context: place.context)
                try StandardStreams.writeOut(json ? estimate.json.serialized() + "\n" : estimate.text)
            }
        }

        /// LLM_MEMORY_BATCH, when set.
        static func batchFromEnvironment() throws(MemError) -> Int? {
            guard let text = Environment.value("LLM_MEMORY_BATCH") else { return nil }
            guard let value = Int(text.trimmingWhitespace()), value > 0 else {
                throw MemError(.usage, "LLM_MEMORY_BATCH must be a number of exchanges more than 0, not '\(text)'")
            }
            return value
        }
    }

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Name the stretch the next backfill pass reads: one line 'AFTER UNTIL', or nothing when the range is read.",
            discussion: """
                Ends the stretch in progress (what backfill-cursor says it read goes to the \
                memory dir's `backfill` file) and picks the oldest one not yet read in the \
                range, through memory's starting point; the pass reads it with \
                `mem-extract --after AFTER --until UNTIL`. Run it holding the update lock, \
                after `mem-merge --recover`.
                """)

        @OptionGroup var place: Place
        @OptionGroup var range: RangeOptions

        func run() throws {
            try place.run { () throws(MemError) in
                if let run = try Backfill.next(try range.range(), context: place.context) {
                    try StandardStreams.writeOut("\(run.after) \(run.until)\n")
                }
            }
        }
    }

    struct Progress: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How far a backfill has got: one line 'LEFT CALLS FACTS JOURNAL'.",
            discussion: """
                LEFT: exchanges of the range not read yet; CALLS and FACTS: the model calls \
                and added bullets of the backfill changes journalled after byte \
                --journal-from of history/journal.jsonl; JOURNAL: the journal's size now \
                (pass it as --journal-from to count from here).
                """)

        @OptionGroup var place: Place
        @OptionGroup var range: RangeOptions

        @Option(name: .customLong("journal-from"), help: ArgumentHelp("Count the journal's changes after this byte.", valueName: "bytes"))
        var journalFrom = 0

        func run() throws {
            try place.run { () throws(MemError) in
                let progress = try Backfill.progress(try range.range(), journalFrom: journalFrom, context: place.context)
                try StandardStreams.writeOut("\(progress.left) \(progress.calls) \(progress.facts) \(progress.journalSize)\n")
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The backfill's state in one line: not started, N of M read, or done.",
            discussion: """
                --note: instead, the one line `install-shell` says — how many earlier \
                exchanges are not learned and that `llm memory backfill` learns from them — \
                or nothing when there are none. --json: {"origin", "origin_time", "before", \
                "read", "left", "started"}.
                """)

        @OptionGroup var place: Place

        @Flag(help: "Print what install-shell says, or nothing.")
        var note = false

        @Flag(help: "Print the state as JSON.")
        var json = false

        func validate() throws {
            if note && json { throw ValidationError("--note and --json cannot be used together") }
        }

        func run() throws {
            try place.run { () throws(MemError) in
                let status = try Backfill.status(context: place.context)
                if json {
                    try StandardStreams.writeOut(status.json.serialized() + "\n")
                } else if note {
                    if let line = status.note { try StandardStreams.writeOut(line + "\n") }
                } else {
                    try StandardStreams.writeOut(status.line + "\n")
                }
            }
        }
    }
}
