import CSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only connection to llm's log database.
///
/// llm writes with SQLite's rollback journal and a 5 s busy timeout, so a reader that
/// holds a transaction longer than that makes llm lose the exchange it just logged. This
/// wrapper opens with `mode=ro` (never `immutable`, never a journal-mode change), waits a
/// bounded time for llm's write lock, and offers explicit short transactions.
public final class SQLiteDatabase {
    let handle: OpaquePointer
    let path: String

    public init(path: String, busyTimeoutMilliseconds: Int32 = 3000) throws(MemError) {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw MemError(.noInput, "no llm log database at \(path) (llm creates it on the first logged prompt)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw MemError(.dataError, "\(path) is not a file")
        }
        var db: OpaquePointer?
        let uri = "file:" + SQLiteDatabase.uriEscaped(path) + "?mode=ro"
        let rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw SQLiteDatabase.error(code: rc, message: message, path: path)
        }
        handle = db
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(db, 1)
        // A per-connection read setting only (nothing is written to the file):
        // a page cache of 8 MiB (the default 2 MiB thrashes on the index look-ups).
        sqlite3_exec(db, "PRAGMA cache_size = -8192", nil, nil, nil)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Percent-escapes the characters a SQLite URI gives meaning to.
    static func uriEscaped(_ path: String) -> String {
        var bytes: [UInt8] = []
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"):
                let hex = Array("0123456789ABCDEF".utf8)
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Maps SQLite result codes to the stage exit statuses ARCHITECTURE.md lists.
    static func error(code: Int32, message: String, path: String) -> MemError {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return MemError(.tempFailure, "\(path) is locked by another process; try again later (\(message))")
        case SQLITE_NOTADB:
            return MemError(.dataError, "\(path) is not an SQLite database")
        case SQLITE_CORRUPT:
            return MemError(.dataError, "\(path) is corrupt: \(message)")
        case SQLITE_CANTOPEN:
            return MemError(.noInput, "cannot open \(path): \(message)")
        case SQLITE_IOERR:
            return MemError(.ioError, "I/O error reading \(path): \(message)")
        case SQLITE_READONLY:
            // A hot journal a read-only connection cannot roll back: llm will on its next write.
            return MemError(.tempFailure, "\(path) needs recovery by llm first; try again later (\(message))")
        default:
            return MemError(.ioError, "\(path): \(message) (SQLite code \(code))")
        }
    }

    func fail(_ code: Int32) -> MemError {
        SQLiteDatabase.error(code: code, message: String(cString: sqlite3_errmsg(handle)), path: path)
    }

    public func execute(_ sql: String) throws(MemError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        if rc != SQLITE_OK { throw fail(rc) }
    }

    /// Runs `body` inside one read transaction, so what it reads is consistent, and
    /// ends the transaction before returning (also on error).
    public func readTransaction<T>(_ body: () throws(MemError) -> T) throws(MemError) -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    public func prepare(_ sql: String) throws(MemError) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw fail(rc) }
        return Statement(handle: stmt, db: self)
    }

    public func tableNames() throws(MemError) -> Set<String> {
        let stmt = try prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        return Set(try stmt.query([]) { $0.text(0) ?? "" })
    }

    public func columns(of table: String) throws(MemError) -> Set<String> {
        let stmt = try prepare("SELECT name FROM pragma_table_info(?)")
        return Set(try stmt.query([.text(table)]) { $0.text(0) ?? "" })
    }
}

/// A prepared statement, reused across rows; each query resets it at once so no read
/// lock outlives the call.
public final class Statement {
    let handle: OpaquePointer
    unowned let db: SQLiteDatabase

    public enum Value {
        case int(Int64)
        case text(String)
    }

    init(handle: OpaquePointer, db: SQLiteDatabase) {
        self.handle = handle
        self.db = db
    }

    deinit {
        sqlite3_finalize(handle)
    }

    public struct Row {
        let handle: OpaquePointer

        public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

        /// Text as stored (invalid UTF-8 repaired with U+FFFD, as Swift does).
        public func text(_ column: Int32) -> String? {
            guard let bytes = sqlite3_column_text(handle, column) else { return nil }
            let count = Int(sqlite3_column_bytes(handle, column))
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
    }

    /// Binds, steps through every row calling `map`, then resets.
    public func query<T>(_ values: [Value], _ map: (Row) throws(MemError) -> T) throws(MemError) -> [T] {
        var rows: [T] = []
        try forEach(values) { (row) throws(MemError) in rows.append(try map(row)) }
        return rows
    }

    /// Binds, hands every row to `body` as it is stepped to (no array built), then resets.
    public func forEach(_ values: [Value], _ body: (Row) throws(MemError) -> Void) throws(MemError) {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case let .int(n): rc = sqlite3_bind_int64(handle, index, n)
            case let .text(s): rc = sqlite3_bind_text(handle, index, s, -1, SQLITE_TRANSIENT_PTR)
            }
            if rc != SQLITE_OK { throw db.fail(rc) }
        }
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_ROW {
                try body(Row(handle: handle))
            } else if rc == SQLITE_DONE {
                return
            } else {
                throw db.fail(rc)
            }
        }
    }
}

/// SQLITE_TRANSIENT is a macro Swift cannot import: it tells SQLite to copy the bytes.
let SQLITE_TRANSIENT_PTR = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
