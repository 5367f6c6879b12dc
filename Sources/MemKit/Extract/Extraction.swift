/// mem-extract's job: print the exchanges after a cursor as JSON Lines.
public enum Extraction {
    public struct Options: Sendable {
        public var databasePath: String
        public var after: Cursor
        public var limit: Int?
        public var busyTimeoutMilliseconds: Int32

        public init(databasePath: String, after: Cursor, limit: Int?, busyTimeoutMilliseconds: Int32 = 3000) {
            self.databasePath = databasePath
            self.after = after
            self.limit = limit
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        }
    }

    public static func run(_ options: Options, countOnly: Bool = false) throws(MemError) {
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
        try reader.read(after: options.after, limit: options.limit) { (exchange) throws(MemError) in
            try out.appendLine(exchange)
        }
        try out.flush()
    }
}
