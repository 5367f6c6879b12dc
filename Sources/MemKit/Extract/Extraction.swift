/// mem-extract's job: print the exchanges after a cursor as JSON Lines.
public enum Extraction {
    public struct Options: Sendable {
        public var databasePath: String
        public var after: Cursor
        /// Only exchanges at or before this cursor (`--until`): in each table, rowids up to its.
        public var until: Cursor?
        /// At most this many: the oldest after the cursor.
        public var limit: Int?
        /// Only this many: the newest after the cursor (printed oldest first).
        public var last: Int?
        public var busyTimeoutMilliseconds: Int32
        /// `<memory dir>/off-record` (`--off-record`): the paused stretches.
        public var offRecordPath: String?
        /// `<memory dir>/undone` (`--undone`): exchanges printed with `skip` "undone".
        public var undonePath: String?

        public init(databasePath: String, after: Cursor, until: Cursor? = nil, limit: Int?, last: Int? = nil,
                    busyTimeoutMilliseconds: Int32 = 3000, offRecordPath: String? = nil, undonePath: String? = nil) {
            self.databasePath = databasePath
            self.after = after
            self.until = until
            self.limit = limit
            self.last = last
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.offRecordPath = offRecordPath
            self.undonePath = undonePath
        }
    }

    /// `--newest`: prints the cursor of the newest exchange (`r0.t0` when llm has logged
    /// nothing yet, or has no database yet: everything logged from now on comes after it).
    /// `withTime`: the UTC time after the cursor, to the microsecond, taken once the
    /// cursor is read — what a `pause`/`resume` line of the off-record file holds.
    public static func printNewest(databasePath: String, busyTimeoutMilliseconds: Int32 = 3000, withTime: Bool = false) throws(MemError) {
        var newest = Cursor.start
        if FileSystem.exists(databasePath) {
            let db = try SQLiteDatabase(path: databasePath, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            newest = try ExchangeReader(database: db).newest()
        }
        try StandardStreams.writeOut(withTime ? "\(newest) \(Timestamp.nowISO8601Microseconds())\n" : "\(newest)\n")
    }

    public static func run(_ options: Options, countOnly: Bool = false) throws(MemError) {
        // Read before the database: a broken file stops the run before anything is printed.
        let offRecord = try options.offRecordPath.map { (path) throws(MemError) in try OffRecordStretches(path: path) }
        let undone = try options.undonePath.map { (path) throws(MemError) in try TextListFile.entrySet(at: path) } ?? []
        let db = try SQLiteDatabase(path: options.databasePath,
                                    busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        let reader = try ExchangeReader(database: db)
        if countOnly {
            var n = try reader.count(after: options.after, until: options.until)
            if let limit = options.limit ?? options.last { n = min(n, limit) }
            try StandardStreams.writeOut("\(n)\n")
            return
        }
        if !reader.hasTurns && !reader.hasResponses {
            StandardStreams.report("mem-extract", "\(options.databasePath) has no llm log tables yet; nothing to read")
            return
        }
        var out = OutputBuffer()
        let stretches = offRecord ?? .init()
        if let last = options.last {
            // Read from where the newest `last` rows of each table begin (at most 2 × last
            // exchanges), keep the newest `last` of them in order.
            var newest: [Exchange] = []
            newest.reserveCapacity(min(last, 4096) + 1)
            let start = try reader.start(ofLast: last, after: options.after, until: options.until)
            try reader.read(after: start, until: options.until, offRecord: stretches, undone: undone) { (exchange) throws(MemError) in
                newest.append(exchange)
                if newest.count > 2 * last + 1 { newest.removeFirst(newest.count - last) }
            }
            for exchange in newest.suffix(last) { try out.appendLine(exchange) }
        } else {
            try reader.read(after: options.after, until: options.until, limit: options.limit, offRecord: stretches,
                            undone: undone) { (exchange) throws(MemError) in
                try out.appendLine(exchange)
            }
        }
        try out.flush()
    }
}
