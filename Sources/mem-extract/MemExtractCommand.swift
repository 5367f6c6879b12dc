import ArgumentParser
import MemCLI
import MemKit

@main
struct MemExtractCommand: StageCommand {
    static let configuration = CommandConfiguration(
        commandName: "mem-extract",
        abstract: "Print the exchanges llm has logged, as JSON Lines, oldest first.",
        discussion: """
            Reads llm's log database read-only (both the llm ≤ 0.31 `responses` schema and \
            the llm ≥ 0.32 `turns` schema, also mixed in one file) and writes one JSON object \
            per exchange to stdout: id, conversation, model, datetime, prompt (what the user \
            typed, without fragment text; null for a tool-result follow-up), system (without \
            system-fragment text), fragments, response (text only), cursor.

            Pass the cursor of the last exchange you processed to --after to resume right \
            after it. The memory's own injected fragment is never reported as the user's words.

            Off the record: an exchange made with LLM_MEMORY_DISABLED=true (the wrapper's \
            off-record fragment), one inside a paused stretch of the --off-record file, and \
            every later exchange of a conversation that had one, is printed with "skip": \
            "disabled" or "paused" and prompt, system and response null (fragments empty): \
            its cursor counts as read, its words are never learned. So is one --undone lists \
            ("skip": "undone"; the rest of its conversation is not affected). Other records \
            have no "skip" field.

            --until CURSOR stops at that exchange: `--after A --until B` is a stretch of the \
            log, `--until B --count` how many exchanges lie at or before B.

            Exit status: 0 ok, 64 usage, 65 not a database or corrupt, 66 no database, \
            74 I/O error, 75 still locked after the busy timeout (try again later).

            Example: mem-extract --last 5 | jq -r .prompt
            """,
        version: Version.string)

    @Option(help: ArgumentHelp("llm's log database.", discussion: "Default: logs.db in $LLM_USER_PATH, else in llm's user dir.", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("Print only exchanges after this cursor: a token like r12.t34, from a previous run's `cursor` field (empty: from the start).",
                               valueName: "cursor"))
    var after: Cursor = .start

    @Option(help: ArgumentHelp("Print only exchanges at or before this cursor (a token like r12.t34): with --after, a stretch of the log; with --count, how many lie before a point.",
                               valueName: "cursor"))
    var until: Cursor?

    @Option(help: ArgumentHelp("Print at most this many exchanges: the oldest ones after the cursor.", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Print only the newest N exchanges after the cursor (still oldest first).", valueName: "n"))
    var last: Int?

    @Flag(help: "Print only the number of exchanges after the cursor (cheap: no text is read).")
    var count = false

    @Option(name: .customLong("busy-timeout"), help: ArgumentHelp("How long to wait for llm's write lock, in milliseconds.", valueName: "ms"))
    var busyTimeout: Int32 = 3000

    @Option(name: .customLong("off-record"), help: ArgumentHelp(
        "Keep the paused stretches listed in this file off the record.",
        discussion: "Lines 'pause CURSOR TIME' and 'resume CURSOR TIME' (UTC), appended by llm-memory pause and resume; a missing file lists none. See the README, 'Off the record'.",
        valueName: "file"))
    var offRecord: String?

    @Option(help: ArgumentHelp(
        "Print the exchanges whose ids this file lists with \"skip\": \"undone\" and no text.",
        discussion: "The memory dir's undone list: exchanges whose learning llm memory undo took back, which a backfill must not learn again. One id per line, # comments; a missing file lists none.",
        valueName: "file"))
    var undone: String?

    @Flag(help: "Print only the cursor of the newest exchange (r0.t0 when nothing is logged yet), and exit.")
    var newest = false

    @Flag(help: "With --newest: print the UTC time now, to the microsecond, after the cursor (what llm-memory pause and resume record).")
    var time = false

    @OptionGroup var stage: StageOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
        if let last, last < 0 { throw ValidationError("--last must be 0 or more") }
        if limit != nil && last != nil { throw ValidationError("--limit (the oldest) and --last (the newest) cannot be used together") }
        if busyTimeout < 0 { throw ValidationError("--busy-timeout must be 0 or more") }
        if newest, count || limit != nil || last != nil || after != .start || until != nil || offRecord != nil || undone != nil {
            throw ValidationError("--newest takes no --after, --until, --limit, --last, --count, --off-record or --undone")
        }
        if time && !newest { throw ValidationError("--time goes with --newest") }
    }

    func run() throws {
        try stage.run("mem-extract") { () throws(MemError) in
            let databasePath = db ?? MemoryLocation.fromEnvironment().logsDatabase
            if newest {
                return try Extraction.printNewest(databasePath: databasePath, busyTimeoutMilliseconds: busyTimeout, withTime: time)
            }
            try Extraction.run(.init(
                databasePath: databasePath,
                after: after,
                until: until,
                limit: limit,
                last: last,
                busyTimeoutMilliseconds: busyTimeout,
                offRecordPath: offRecord,
                undonePath: undone), countOnly: count)
        }
    }
}
