/// Where memory started, and which of the exchanges logged before that a backfill has
/// read — three small files in the memory dir (README, "Files"):
///
/// - `origin`: the cursor of the newest exchange llm had logged when memory was set up
///   (line 1; line 2, the time, UTC). Live updates read only what comes after it; what
///   lies at or before it is learned only by a backfill the user asks for. Written once,
///   by the porcelain, under the update lock; `r0.t0` for a memory that was reading from
///   the start of the log before origins existed (it has nothing to backfill).
/// - `backfill`: lines `done TABLE LOW HIGH` (the rows `LOW < rowid <= HIGH` of `turns` or
///   `responses` were read by a backfill: learned from, or passed over as off the record)
///   and at most one `run AFTER UNTIL`, the stretch being read now. `#` comments and blank
///   lines are skipped. Written whole, atomically, by `mem-backfill next`.
/// - `backfill-cursor`: how far the run has got — written by mem-merge in the commit of
///   each backfill pass, in the same crash-safe protocol as `cursor` (so a pass counts
///   exactly once). It is only believed while it lies within the run; `next` folds it
///   into `done`, removes it, and only then names a new run, so a stale one is never read
///   as the progress of another run.
public struct BackfillState: Equatable, Sendable {
    public struct Run: Equatable, Sendable {
        public var after: Cursor
        public var until: Cursor

        public init(after: Cursor, until: Cursor) {
            self.after = after
            self.until = until
        }
    }

    public var origin: Cursor
    /// When memory started (UTC), if the origin file says.
    public var originTime: String?
    public var done: [LogTable: RowidRanges] = [:]
    public var run: Run?
    /// How far `run` has got (a valid `backfill-cursor`), if it has started.
    public var progress: Cursor?

    public init(origin: Cursor, originTime: String? = nil) {
        self.origin = origin
        self.originTime = originTime
    }

    // MARK: - What is read, what is left

    /// The rows a backfill has read: `done`, and the run up to its progress.
    public func read(_ table: LogTable) -> RowidRanges {
        var ranges = done[table] ?? RowidRanges()
        if let run, let progress {
            ranges.insert(.init(low: table.rowid(in: run.after), high: table.rowid(in: progress)))
        }
        return ranges
    }

    /// The rows of `table` in the range after `start`, through the origin.
    public func range(_ table: LogTable, from start: Cursor) -> RowidRanges.Range {
        .init(low: table.rowid(in: start), high: table.rowid(in: origin))
    }

    /// What is left to read of the range after `start`, through the origin: in each table,
    /// the stretches not read yet, oldest first.
    public func left(from start: Cursor) -> [LogTable: [RowidRanges.Range]] {
        var out: [LogTable: [RowidRanges.Range]] = [:]
        for table in LogTable.allCases {
            out[table] = read(table).gaps(in: range(table, from: start))
        }
        return out
    }

    /// The stretches to read, in order: each pairs the next unread stretch of each table
    /// (a table with none left reads nothing: after == until, at the origin).
    public func runs(from start: Cursor) -> [Run] {
        let left = left(from: start)
        let legacy = left[.responses] ?? [], modern = left[.turns] ?? []
        var out: [Run] = []
        for i in 0..<max(legacy.count, modern.count) {
            let r = i < legacy.count ? legacy[i] : .init(low: origin.responsesRowid, high: origin.responsesRowid)
            let t = i < modern.count ? modern[i] : .init(low: origin.turnsRowid, high: origin.turnsRowid)
            out.append(Run(after: Cursor(responsesRowid: r.low, turnsRowid: t.low),
                           until: Cursor(responsesRowid: r.high, turnsRowid: t.high)))
        }
        return out
    }

    /// Moves the run's progress into `done` and ends the run.
    public mutating func foldRun() {
        for table in LogTable.allCases { done[table] = read(table) }
        run = nil
        progress = nil
    }

    /// A cursor lies within `run` (inclusive) in both tables.
    static func lies(_ cursor: Cursor, within run: Run) -> Bool {
        run.after.isCovered(by: cursor) && cursor.isCovered(by: run.until)
    }

    // MARK: - Files

    public struct Files: Sendable {
        public var memoryDir: String
        public init(memoryDir: String) { self.memoryDir = memoryDir }
        public var origin: String { memoryDir + "/origin" }
        public var state: String { memoryDir + "/backfill" }
        public var cursor: String { memoryDir + "/backfill-cursor" }
    }

    /// Reads the three files; nil when memory has no origin yet (it was never set up).
    public static func load(_ files: Files) throws(MemError) -> BackfillState? {
        guard let originBytes = try FileSystem.readIfPresent(files.origin, limit: 4096) else { return nil }
        let lines = String(decoding: originBytes, as: UTF8.self).split(separator: "\n").map { String($0).trimmingWhitespace() }
        guard let first = lines.first, !first.isEmpty, let origin = try? Cursor(token: first) else {
            throw MemError(.dataError, "\(files.origin) should hold a cursor like r0.t42 on its first line")
        }
        var state = BackfillState(origin: origin, originTime: lines.count > 1 && !lines[1].isEmpty ? lines[1] : nil)
        if let bytes = try FileSystem.readIfPresent(files.state, limit: 1 << 20) {
            do {
                try state.parse(String(decoding: bytes, as: UTF8.self))
            } catch {
                throw MemError(.dataError, "\(files.state): \(error.message)")
            }
        }
        if let run = state.run, let bytes = try FileSystem.readIfPresent(files.cursor, limit: 4096),
           let progress = try? Cursor(token: String(decoding: bytes, as: UTF8.self)),
           BackfillState.lies(progress, within: run) {
            state.progress = progress
        }
        return state
    }

    mutating func parse(_ text: String) throws(MemError) {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let bad = MemError(.dataError, "line \(index + 1) is not 'done TABLE LOW HIGH' or 'run AFTER UNTIL': '\(line.prefix(80))'")
            switch words.first {
            case "done":
                guard words.count == 4, let table = LogTable(name: words[1]),
                      let low = Int64(words[2]), let high = Int64(words[3]), low >= 0, high >= low else { throw bad }
                done[table, default: RowidRanges()].insert(.init(low: low, high: high))
            case "run":
                guard words.count == 3, run == nil, let after = try? Cursor(token: words[1]),
                      let until = try? Cursor(token: words[2]), after.isCovered(by: until) else { throw bad }
                run = Run(after: after, until: until)
            default:
                throw bad
            }
        }
    }

    /// The `backfill` file's text.
    public var text: String {
        var out = "# llm-user-memory: the exchanges from before memory's start (origin) a backfill has read.\n"
        out += "# done TABLE LOW HIGH: rows LOW < rowid <= HIGH; run AFTER UNTIL: being read, up to backfill-cursor.\n"
        for table in LogTable.allCases {
            for range in done[table]?.ranges ?? [] { out += "done \(table.name) \(range.low) \(range.high)\n" }
        }
        if let run { out += "run \(run.after) \(run.until)\n" }
        return out
    }

    /// Writes the `backfill` file (atomically, 0600).
    public func save(_ files: Files) throws(MemError) {
        try FileSystem.writeAtomically(files.state, bytes: Array(text.utf8), mode: 0o600)
    }
}
