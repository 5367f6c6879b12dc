#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// mem-backfill's work: learning, on purpose, from what llm logged before memory started
/// (issue 11). Live updates read only what comes after the origin (`BackfillState`); a
/// backfill reads what lies at or before it — oldest first, pass by pass, each pass a
/// normal mem-extract → mem-propose → mem-merge run whose commit moves `backfill-cursor`
/// instead of `cursor`. This type decides what the porcelain cannot: which stretch to read
/// next (`next`), what reading the range would cost (`estimate`), how far a run has got
/// (`progress`) and what `llm memory status` says (`status`).
public enum Backfill {
    /// Where things are: the memory dir's files and llm's log.
    public struct Context: Sendable {
        public var memoryDir: String
        public var databasePath: String
        public var busyTimeoutMilliseconds: Int32 = 3000

        public init(memoryDir: String, databasePath: String) {
            self.memoryDir = memoryDir
            self.databasePath = databasePath
        }

        public static func fromEnvironment() -> Context {
            let location = MemoryLocation.fromEnvironment()
            return Context(memoryDir: location.memoryDir, databasePath: location.logsDatabase)
        }

        public var files: BackfillState.Files { .init(memoryDir: memoryDir) }
        public var offRecordPath: String { memoryDir + "/off-record" }
        public var profilePath: String { memoryDir + "/profile.md" }
        public var journalPath: String { memoryDir + "/history/journal.jsonl" }

        /// The state; memory without an origin was never set up, and has nothing to backfill yet.
        func state() throws(MemError) -> BackfillState {
            guard let state = try BackfillState.load(files) else {
                throw MemError(.noInput, "memory has no starting point yet (\(files.origin)): run `llm memory update` (or install-shell) once first")
            }
            return state
        }

        /// A reader of llm's log, or nil when llm has logged nothing yet (no database).
        func reader() throws(MemError) -> ExchangeReader? {
            guard FileSystem.exists(databasePath) else { return nil }
            return try ExchangeReader(database: SQLiteDatabase(path: databasePath, busyTimeoutMilliseconds: busyTimeoutMilliseconds))
        }

        /// The exchange ids `llm memory undo` took back (the memory dir's `undone`).
        func undone() throws(MemError) -> Set<String> { Set(try TextListFile.undone(inDirectory: memoryDir).entries()) }
    }

    // MARK: - next

    /// Ends the run in progress (what it read goes to `done`) and names the stretch the
    /// next pass reads: the oldest not yet read in the range, through the origin — or
    /// nil when the range is all read. Call it holding the update lock, after
    /// `mem-merge --recover`. The files change in an order a kill cannot confuse: the
    /// folded state without a run, then `backfill-cursor` removed, then the new run.
    public static func next(_ range: BackfillRange, context: Context) throws(MemError) -> BackfillState.Run? {
        var state = try context.state()
        let before = state
        state.foldRun()
        var run: BackfillState.Run?
        if let reader = try context.reader() {
            let start = try range.start(in: reader, origin: state.origin)
            // A stretch with no rows (rowids llm never used, or rows gone) is read by definition.
            while let first = state.runs(from: start).first {
                let rows: [LogTable: [RowidRanges.Range]] = [
                    .responses: [.init(low: first.after.responsesRowid, high: first.until.responsesRowid)],
                    .turns: [.init(low: first.after.turnsRowid, high: first.until.turnsRowid)],
                ]
                if try count(rows, in: reader) > 0 {
                    run = first
                    break
                }
                for (table, ranges) in rows { ranges.forEach { state.done[table, default: RowidRanges()].insert($0) } }
            }
        }
        if state != before || FileSystem.exists(context.files.cursor) {
            try state.save(context.files)
            if unlink(context.files.cursor) != 0, errno != ENOENT {
                throw MemError(.ioError, "cannot remove \(context.files.cursor): \(lastErrorText())")
            }
            FileSystem.syncDirectory(context.memoryDir)
        }
        if let run {
            state.run = run
            try state.save(context.files)
        }
        return run
    }

    // MARK: - progress

    /// How far a backfill of `range` has got: exchanges left in the range, and — from the
    /// journal's lines after byte `journalFrom` — the backfill passes' model calls and the
    /// bullets they added; `journalSize` is where the journal ends now (pass it as
    /// `journalFrom` to count from here).
    public struct Progress: Equatable, Sendable {
        public var left = 0
        public var calls = 0
        public var facts = 0
        public var journalSize = 0
    }

    public static func progress(_ range: BackfillRange, journalFrom: Int, context: Context) throws(MemError) -> Progress {
        var progress = Progress()
        let state = try context.state()
        if let reader = try context.reader() {
            let start = try range.start(in: reader, origin: state.origin)
            progress.left = try count(state.left(from: start), in: reader)
        }
        let journal = try FileSystem.readIfPresent(context.journalPath, limit: 1 << 30) ?? []
        progress.journalSize = journal.count
        guard journalFrom < journal.count else { return progress }
        for line in journal[max(0, journalFrom)...].split(separator: 0x0A) {
            guard let entry = try? JSONParser.parse(Array(line)), entry["action"]?.stringValue == "backfill" else { continue }
            if let model = entry["model"]?.stringValue, model != Proposer.localModel { progress.calls += 1 }
            if let changes = entry["changes"]?.arrayValue {
                progress.facts += changes.filter { $0["kind"]?.stringValue == "add" }.count
            } else {
                progress.facts += (entry["applied"]?.arrayValue ?? []).filter { $0["op"]?.stringValue == "add" }.count
            }
        }
        return progress
    }

    /// How many exchanges lie in `ranges` (rowids per table).
    static func count(_ ranges: [LogTable: [RowidRanges.Range]], in reader: ExchangeReader) throws(MemError) -> Int {
        try reader.db.readTransaction { () throws(MemError) in
            var total: Int64 = 0
            for (table, list) in ranges where reader.has(table) {
                let statement = try reader.db.prepare("SELECT count(*) FROM \(table.name) WHERE rowid > ?1 AND rowid <= ?2")
                for range in list where !range.isEmpty {
                    total += try statement.query([.int(range.low), .int(range.high)]) { $0.int(0) }.first ?? 0
                }
            }
            return Int(total)
        }
    }

    // MARK: - status

    /// What `llm memory status` and `install-shell` say about the history before memory
    /// started: how many exchanges lie there, how many a backfill has read.
    public struct Status: Equatable, Sendable {
        public var origin: Cursor
        public var originTime: String?
        /// Exchanges at or before the origin; of them, read by a backfill.
        public var before = 0
        public var read = 0
        /// A backfill has started (it has a record).
        public var started = false

        public var left: Int { before - read }

        /// One line: not started, N of M read, or done.
        public var line: String {
            let total = HumanUnits.count(before)
            if before == 0 { return "nothing from before memory started" }
            if read == 0 && !started {
                return "not started: \(total) exchange\(before == 1 ? "" : "s") from before memory started (llm memory backfill learns from them; it shows the cost first)"
            }
            if left == 0 { return "done: all \(total) exchange\(before == 1 ? "" : "s") from before memory started were read" }
            return "\(HumanUnits.count(read)) of \(total) exchanges from before memory started read; \(HumanUnits.count(left)) left (llm memory backfill continues)"
        }

        /// What install-shell says once: nil when there is nothing to learn.
        public var note: String? {
            guard left > 0 else { return nil }
            return "\(HumanUnits.count(left)) earlier exchange\(left == 1 ? "" : "s") in llm's log \(left == 1 ? "is" : "are") not learned: memory learns from now on; `llm memory backfill` learns from \(left == 1 ? "it" : "them") (it shows the cost and asks first)"
        }

        public var json: JSONValue {
            .object([("origin", .string(origin.description)), ("origin_time", originTime.map { .string($0) } ?? .null),
                     ("before", .number(Double(before))), ("read", .number(Double(read))), ("left", .number(Double(left))),
                     ("started", .bool(started))])
        }
    }

    public static func status(context: Context) throws(MemError) -> Status {
        let state = try context.state()
        var status = Status(origin: state.origin, originTime: state.originTime)
        status.started = !(state.done.values.allSatisfy(\.isEmpty)) || state.run != nil
        guard let reader = try context.reader() else { return status }
        var all: [LogTable: [RowidRanges.Range]] = [:]
        var read: [LogTable: [RowidRanges.Range]] = [:]
        for table in LogTable.allCases {
            let range = state.range(table, from: .start)
            all[table] = [range]
            read[table] = state.read(table).intersection(with: range)
        }
        status.before = try count(all, in: reader)
        status.read = try count(read, in: reader)
        return status
    }
}
