/// mem-extract's job: print the exchanges after a cursor as JSON Lines.
public enum Extraction {
    public struct Options: Sendable {
        public var databasePath: String
        public var after: Cursor
        public var limit: Int?
        public var busyTimeoutMilliseconds: Int32
        /// `<memory dir>/off-record` (`--off-record`): the paused stretches.
        public var offRecordPath: String?

        public init(databasePath: String, after: Cursor, limit: Int?, busyTimeoutMilliseconds: Int32 = 3000,
                    offRecordPath: String? = nil) {
            self.databasePath = databasePath
            self.after = after
            self.limit = limit
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.offRecordPath = offRecordPath
        }
    }

    /// `--newest`: prints the cursor of the newest exchange (`r0.t0` when llm has logged
    /// nothing yet, or has no database yet: everything logged from now on comes after it).
    public static func printNewest(databasePath: String, busyTimeoutMilliseconds: Int32 = 3000) throws(MemError) {
        var newest = Cursor.start
        if FileSystem.exists(databasePath) {
            let db = try SQLiteDatabase(path: databasePath, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            newest = try ExchangeReader(database: db).newest()
        }
        try StandardStreams.writeOut("\(newest)\n")
    }

    public static func run(_ options: Options, countOnly: Bool = false) throws(MemError) {
        // Read before the database: a broken file stops the run before anything is printed.
        let offRecord = try options.offRecordPath.map { (path) throws(MemError) in try OffRecordStretches(path: path) }
        let db = try SQLiteDatabase(path: options.databasePath,
                                    busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        let reader = try ExchangeReader(database: db)
        if countOnly {
            var n = try reader.count(after: options.after)
            if let limit = options.limit { n = min(n, limit) }
            try StandardStreams.writeOut("\(n)\n")
            return
        }
        if !reader.hasTurns && !reader.hasResponses {
            StandardStreams.report("mem-extract", "\(options.databasePath) has no llm log tables yet; nothing to read")
            return
        }
        var out = OutputBuffer()
        try reader.read(after: options.after, limit: options.limit, offRecord: offRecord ?? .init()) { (exchange) throws(MemError) in
            try out.appendLine(exchange)
        }
        try out.flush()
    }
}
