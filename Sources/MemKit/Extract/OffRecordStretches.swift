/// The stretches memory was paused, read from `<memory dir>/off-record`.
///
/// The file is a log the porcelain only appends to (one short write per line, so a crash
/// leaves whole lines): `llm memory pause` appends `pause CURSOR TIME`, `resume` appends
/// `resume CURSOR TIME`, where CURSOR TIME is what `mem-extract --newest --time` printed
/// at that moment: the newest exchange's cursor and the UTC time to the microsecond
/// (`2026-01-31T09:15:00.123456Z`; lines written by 0.2.0 have whole seconds, which are
/// still read, compared to the second). Blank lines and `#` comments
/// are skipped. A `pause` opens a stretch (a second `pause` while one is open changes
/// nothing: the earlier one holds), the next `resume` closes it, a `resume` with nothing
/// open changes nothing, and a stretch still open at the end is the pause in effect.
///
/// Why the time: a call started while paused can commit (get its rowid) after `resume`,
/// and llm sets `datetime_utc` when a call starts. So an exchange is inside a closed
/// stretch when it committed after the pause (rowid above the pause's cursor, in its own
/// table) and either committed by the resume (rowid up to the resume's cursor) or started
/// by the resume's time (`datetime`, to the microsecond, inclusive — to the second when
/// the line has whole seconds; a normal call made in the second after a resume must not
/// be lost). Inside an open
/// stretch: every exchange committed after the pause. A call already running when
/// `pause` was given is counted in (it commits after): off the record errs on the side
/// of learning less.
public struct OffRecordStretches: Equatable, Sendable {
    public struct Stretch: Equatable, Sendable {
        public var from: Cursor
        /// nil: still paused.
        public var to: Cursor?
        /// The resume's time, `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC);
        /// nil when the line had none.
        public var until: String?

        public init(from: Cursor, to: Cursor? = nil, until: String? = nil) {
            self.from = from
            self.to = to
            self.until = until
        }

        /// Whether the exchange at `rowid` of `table`, started at `datetime`, is inside.
        func contains(_ table: LogTable, rowid: Int64, datetime: String?) -> Bool {
            guard rowid > table.rowid(in: from) else { return false }
            guard let to else { return true }
            if rowid <= table.rowid(in: to) { return true }
            guard let until, let started = OffRecordStretches.instant(datetime) else { return false }
            // Whole seconds (an old line): compare to the second; else to the microsecond.
            return until.count == 19 ? started.prefix(19) <= until : started <= until
        }
    }

    public var stretches: [Stretch]

    public init(stretches: [Stretch] = []) {
        self.stretches = stretches
    }

    /// Reads the file; a missing file has no stretches. A line that is not a pause or
    /// resume is an error naming it (exit 65): a stretch misread could let what was said
    /// while paused be learned, so nothing is read until it is fixed.
    public init(path: String) throws(MemError) {
        guard let bytes = try FileSystem.readIfPresent(path, limit: 4 << 20) else {
            self.init()
            return
        }
        do {
            try self.init(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw MemError(.dataError, "\(path): \(error.message)")
        }
    }

    public init(parsing text: String) throws(MemError) {
        var stretches: [Stretch] = []
        var open: Cursor?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.count == 2 || words.count == 3, words[0] == "pause" || words[0] == "resume",
                  let cursor = try? Cursor(token: words[1]), !words[1].isEmpty
            else {
                throw MemError(.dataError, "line \(index + 1) is not 'pause CURSOR [TIME]' or 'resume CURSOR [TIME]': '\(line.prefix(80))'")
            }
            var time: String?
            if words.count == 3 {
                guard let instant = OffRecordStretches.instant(words[2]), OffRecordStretches.isWholeTime(words[2]) else {
                    throw MemError(.dataError, "line \(index + 1): '\(words[2].prefix(40))' is not a UTC time like 2026-01-31T09:15:00.123456Z")
                }
                // A time written without a fraction keeps its whole-second meaning.
                time = words[2].utf8.dropFirst(19).first == UInt8(ascii: ".") ? instant : String(instant.prefix(19))
            }
            if words[0] == "pause" {
                if open == nil { open = cursor }
            } else if let from = open {
                stretches.append(Stretch(from: from, to: cursor, until: time))
                open = nil
            }
        }
        if let open { stretches.append(Stretch(from: open)) }
        self.init(stretches: stretches)
    }

    public var isEmpty: Bool { stretches.isEmpty }

    /// Whether a line's TIME is only a time: what follows the seconds is nothing, or a
    /// fraction of one or more digits, and then an optional `Z`.
    static func isWholeTime(_ word: String) -> Bool {
        var rest = Substring(word.utf8.dropFirst(19))
        if rest.first == "." {
            rest = rest.dropFirst()
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
        }
        return rest.isEmpty || rest == "Z"
    }

    /// An ISO 8601 UTC time as `YYYY-MM-DDTHH:MM:SS.ffffff` (a space accepted for the
    /// `T`; the fraction cut or padded to six digits, `.000000` when absent — Python's
    /// `isoformat()` leaves it out when it is zero), or nil when it does not start like
    /// one. Equal-length, so instants compare as strings. llm stores
    /// `2026-01-31T09:15:00.123456+00:00`; the porcelain writes `…:00.123456Z`.
    static func instant(_ text: String?) -> String? {
        guard let text else { return nil }
        let bytes = Array(text.utf8.prefix(26))
        guard bytes.count >= 19 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(26)
        for (i, byte) in bytes.prefix(19).enumerated() {
            switch i {
            case 4, 7: guard byte == UInt8(ascii: "-") else { return nil }
            case 10: guard byte == UInt8(ascii: "T") || byte == UInt8(ascii: " ") else { return nil }
            case 13, 16: guard byte == UInt8(ascii: ":") else { return nil }
            default: guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            }
            out.append(i == 10 ? UInt8(ascii: "T") : byte)
        }
        out.append(UInt8(ascii: "."))
        if bytes.count > 19, bytes[19] == UInt8(ascii: ".") {
            for byte in bytes.dropFirst(20) {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { break }
                out.append(byte)
            }
        }
        while out.count < 26 { out.append(UInt8(ascii: "0")) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// llm's two log tables, each with its own rowid in a `Cursor`.
public enum LogTable: Sendable, Hashable, CaseIterable {
    case responses, turns

    public func rowid(in cursor: Cursor) -> Int64 {
        self == .turns ? cursor.turnsRowid : cursor.responsesRowid
    }

    /// The table's name in logs.db.
    public var name: String { self == .turns ? "turns" : "responses" }

    public init?(name: String) {
        switch name {
        case "turns": self = .turns
        case "responses": self = .responses
        default: return nil
        }
    }
}
