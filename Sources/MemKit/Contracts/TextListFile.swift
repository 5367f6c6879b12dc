#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain list the memory dir keeps for the user to read and edit: one entry per line;
/// blank lines and lines starting with `#` are comments. Two of them:
///
/// - `forgotten` — texts `llm memory forget` was asked to forget: mem-merge skips any
///   update or backfill op that would put back a bullet matching one (`BulletQuery`).
/// - `undone` — exchange ids whose learning `llm memory undo` took back: the cursor is
///   already past them, so live updates never read them again; a backfill re-reading
///   their range should leave them out.
///
/// Written only by mem-merge (in place, holding the update lock), atomically, 0600;
/// whatever else the file holds (comments, the user's own lines) is kept as it is.
public struct TextListFile: Sendable {
    public let path: String
    /// The comment a new file starts with.
    public let header: String

    public init(path: String, header: String) {
        self.path = path
        self.header = header
    }

    public static func forgotten(inDirectory dir: String) -> TextListFile {
        TextListFile(path: dir + "/forgotten", header: """
            # Texts llm-user-memory never learns again: an update that would add (or reword
            # a bullet into) one of them is skipped. One per line; lines starting with # are
            # comments. Edit by hand, or: llm memory forget TEXT / forget --undo TEXT.
            """)
    }

    public static func undone(inDirectory dir: String) -> TextListFile {
        TextListFile(path: dir + "/undone", header: """
            # Exchange ids (from llm's logs.db) whose learning `llm memory undo` took back:
            # a backfill leaves them out. One per line; lines starting with # are comments.
            """)
    }

    /// The entries of the list at `path`, as a set (`mem-extract --undone FILE`).
    public static func entrySet(at path: String) throws(MemError) -> Set<String> {
        Set(try TextListFile(path: path, header: "").entries())
    }

    /// The list called `name` (`forgotten`, `undone`) in `dir`; nil for any other name.
    public static func named(_ name: String, inDirectory dir: String) -> TextListFile? {
        [forgotten(inDirectory: dir), undone(inDirectory: dir)].first { FileSystem.baseName($0.path) == name }
    }

    /// The entries, trimmed, in file order; none when the file does not exist.
    public func entries() throws(MemError) -> [String] {
        guard let bytes = try FileSystem.readIfPresent(path, limit: 4 << 20) else { return [] }
        return TextListFile.entries(in: String(decoding: bytes, as: UTF8.self))
    }

    static func entries(in text: String) -> [String] {
        text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// Appends the items not already listed (each made one line); returns those added.
    @discardableResult
    public func add(_ items: [String]) throws(MemError) -> [String] {
        let text = try FileSystem.readIfPresent(path, limit: 4 << 20).map { String(decoding: $0, as: UTF8.self) }
        var present = Set(TextListFile.entries(in: text ?? ""))
        var added: [String] = []
        for item in items.map({ $0.singleLine() }) where !item.isEmpty && !item.hasPrefix("#") {
            if present.insert(item).inserted { added.append(item) }
        }
        guard !added.isEmpty else { return [] }
        var out = text ?? header + "\n"
        if !out.isEmpty, !out.hasSuffix("\n") { out += "\n" }
        out += added.map { $0 + "\n" }.joined()
        try FileSystem.writeAtomically(path, bytes: Array(out.utf8), mode: 0o600)
        return added
    }

    /// Removes the lines whose entry is one of `items` (compared trimmed); returns those removed.
    @discardableResult
    public func remove(_ items: [String]) throws(MemError) -> [String] {
        guard let bytes = try FileSystem.readIfPresent(path, limit: 4 << 20) else { return [] }
        let wanted = Set(items.map { $0.singleLine() })
        var removed: [String] = []
        var kept: [Substring] = []
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let entry = String(line).trimmingWhitespace()
            if !entry.hasPrefix("#"), wanted.contains(entry) {
                removed.append(entry)
            } else {
                kept.append(line)
            }
        }
        guard !removed.isEmpty else { return [] }
        try FileSystem.writeAtomically(path, bytes: Array(kept.joined(separator: "\n").utf8), mode: 0o600)
        return removed
    }
}
