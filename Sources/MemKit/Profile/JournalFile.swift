#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `history/journal.jsonl` as lines of bytes: what the commit protocol needs to number a
/// new line, and what History/ reads entries from — the last lines without reading the
/// whole file (a year of changes is megabytes), or the lines after a byte offset.
///
/// A line is complete when its newline is there; an unterminated last line (a commit
/// killed while appending it, which recovery cuts off and writes again) is not read.
/// Line numbers count complete lines from 1.
public struct JournalFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The file's size in bytes (0 when it does not exist).
    public var size: Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// One complete line: its bytes (without the newline), where it starts, and its
    /// number when known (counted only when asked for, see `lastLines`).
    public struct Line: Sendable {
        public var bytes: [UInt8]
        public var offset: Int
        public var number: Int?
    }

    /// The last `count` complete lines, oldest first, read backwards in chunks. With
    /// `numbered`, each gets its line number (which costs a count of the newlines
    /// before them: one pass over the file, for journals whose lines carry no id).
    public func lastLines(_ count: Int, numbered: Bool = false) throws(MemError) -> [Line] {
        guard count > 0 else { return [] }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return [] }
            throw MemError(.ioError, "cannot open \(path): \(lastErrorText())")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MemError(.ioError, "cannot read \(path): \(lastErrorText())") }
        let size = Int(info.st_size)
        // Read backwards until `count` newlines (after the last complete line's) are in.
        var start = size
        var buffer: [UInt8] = []
        var chunk = 64 << 10
        while start > 0 {
            let from = max(0, start - chunk)
            var piece = [UInt8](repeating: 0, count: start - from)
            try JournalFile.readFully(fd, into: &piece, at: from, path: path)
            buffer = piece + buffer
            start = from
            if buffer.reduce(0, { $0 + ($1 == 0x0A ? 1 : 0) }) > count { break }
            chunk *= 2
        }
        // Split into complete lines; drop an unterminated tail and a first partial line.
        guard let lastNewline = buffer.lastIndex(of: 0x0A) else { return [] }
        var lines: [Line] = []
        var lineEnd = lastNewline
        while lines.count < count {
            var lineStart = lineEnd
            while lineStart > 0, buffer[lineStart - 1] != 0x0A { lineStart -= 1 }
            if lineStart == 0, start > 0 { break }  // cut off at the chunk edge
            lines.append(Line(bytes: Array(buffer[lineStart..<lineEnd]), offset: start + lineStart, number: nil))
            if lineStart == 0 { break }
            lineEnd = lineStart - 1
        }
        lines.reverse()
        if numbered, let first = lines.first {
            var number = try newlines(before: first.offset) + 1
            for i in lines.indices {
                lines[i].number = number
                number += 1
            }
        }
        return lines
    }

    /// Every complete line starting at byte `offset` (a line start), oldest first, numbered
    /// from `firstNumber`.
    public func lines(from offset: Int = 0, firstNumber: Int = 1) throws(MemError) -> [Line] {
        guard let bytes = try FileSystem.readIfPresent(path, limit: 1 << 30), offset < bytes.count else { return [] }
        var lines: [Line] = []
        var start = offset
        var number = firstNumber
        while let end = bytes[start...].firstIndex(of: 0x0A) {
            lines.append(Line(bytes: Array(bytes[start..<end]), offset: start, number: number))
            number += 1
            start = end + 1
        }
        return lines
    }

    /// How many lines end before byte `offset`.
    public func newlines(before offset: Int) throws(MemError) -> Int {
        guard offset > 0, let bytes = try FileSystem.readIfPresent(path, limit: 1 << 30) else { return 0 }
        return bytes[..<min(offset, bytes.count)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// The id a new line gets: the last line's `"id"` plus one — or, for a journal whose
    /// last line predates ids, the number of its lines plus one (an old line's id is its
    /// line number). 1 for an empty or missing journal.
    public func nextID() throws(MemError) -> Int {
        guard let last = try lastLines(1).first else { return 1 }
        if let value = try? JSONParser.parse(last.bytes), case let .number(id)? = value["id"], id >= 1, id < 1e15 {
            return Int(id) + 1
        }
        return try newlines(before: last.offset) + 2
    }

    static func readFully(_ fd: Int32, into buffer: inout [UInt8], at offset: Int, path: String) throws(MemError) {
        var got = 0
        while got < buffer.count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(offset + got)) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw MemError(.ioError, "cannot read \(path): \(lastErrorText())") }
            if n == 0 { break }
            got += n
        }
        buffer.removeLast(buffer.count - got)
    }
}
