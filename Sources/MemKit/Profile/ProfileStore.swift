#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The profile on disk and the state kept beside it, in the profile's directory:
///
/// - `profile.md` (or whatever the profile is called) — 0600, replaced atomically.
/// - `history/profile-<UTC yyyymmddThhmmssZ>-<n>.md` — the bytes each change replaced
///   (0600; `n` counts from 1 within a second). At most `maxHistoryVersions` are kept;
///   the oldest go first.
/// - `history/journal.jsonl` — one JSON object per line, one line per commit:
///   `{"time", "action": "merge", "applied": [op…], "skipped": [{"op", "reason"}…],
///   "sources", "through", "model", "previous"}` for a merge (each applied op carries an
///   extra `"effect"`), `{"time", "action": "load"|"clear"|…, "previous", …}` for a
///   whole-profile replacement. `previous` names the history file holding the bytes that
///   were replaced, or is null when nothing was replaced.
/// - `cursor` — the delta's `through`, one line, written (atomically, 0600) after the
///   profile, so the porcelain can pass it to `mem-extract --after`.
///
/// The directory and `history/` are created 0700. An existing directory is tightened to
/// 0700 only when it is the memory dir (`MemoryLocation`); a directory the user chose for
/// a `--profile` elsewhere keeps its mode.
public struct ProfileStore: Sendable {
    public static let maxHistoryVersions = 200

    public let profilePath: String

    public init(profilePath: String) {
        self.profilePath = profilePath
    }

    public var directory: String { FileSystem.directoryName(profilePath) }
    public var historyDirectory: String { directory + "/history" }
    public var journalPath: String { historyDirectory + "/journal.jsonl" }
    public var cursorPath: String { directory + "/cursor" }

    public struct CommitResult: Equatable, Sendable {
        /// True when the profile file was (re)written.
        public var wroteProfile: Bool
        /// The history file name holding the replaced bytes, if any.
        public var previous: String?
    }

    /// The current profile bytes (validated), or nil when there is no profile yet.
    public func loadBytes() throws(MemError) -> [UInt8]? {
        guard let bytes = try FileSystem.readIfPresent(profilePath, limit: 16 << 20) else { return nil }
        _ = try ProfileDocument(validating: bytes, name: profilePath)
        return bytes
    }

    /// Reads the profile (or starts from the default), applies `delta` and commits it.
    @discardableResult
    public func mergeInPlace(_ delta: Delta) throws(MemError) -> MergeResult {
        let original = try loadBytes()
        let result = ProfileMerger.apply(delta, to: original.map { ProfileDocument(bytes: $0) } ?? .default)
        try commitMerge(result, delta: delta, original: original)
        return result
    }

    /// Commits a merge result (history copy, atomic write, journal
    /// line, cursor). `original` is what the merge started from (nil: no profile file);
    /// if the file changed since, nothing is written and the error says to try again (75).
    @discardableResult
    public func commitMerge(_ result: MergeResult, delta: Delta, original: [UInt8]?) throws(MemError) -> CommitResult {
        try prepareDirectories()
        let newBytes = result.document.bytes
        let shouldWrite = original.map { $0 != newBytes } ?? result.changed
        var commit = CommitResult(wroteProfile: false, previous: nil)
        if shouldWrite {
            commit = try replace(with: newBytes, expecting: original)
        }
        var applied: [JSONValue] = []
        var skipped: [JSONValue] = []
        for outcome in result.outcomes {
            if outcome.applied {
                var pairs: [(String, JSONValue)] = []
                if case let .object(opPairs) = outcome.op.json { pairs = opPairs }
                pairs.append(("effect", .string(outcome.detail)))
                applied.append(.object(pairs))
            } else {
                skipped.append(.object([("op", outcome.op.json), ("reason", .string(outcome.detail))]))
            }
        }
        let entry: JSONValue = .object([
            ("time", .string(Timestamp.nowISO8601())),
            ("action", .string("merge")),
            ("applied", .array(applied)),
            ("skipped", .array(skipped)),
            ("sources", .array(delta.sources.map { .string($0) })),
            ("through", delta.through.map { .string($0) } ?? .null),
            ("model", delta.model.map { .string($0) } ?? .null),
            ("previous", commit.previous.map { .string($0) } ?? .null),
        ])
        try FileSystem.appendLine(journalPath, entry.serialized())
        if let through = delta.through {
            try FileSystem.writeAtomically(cursorPath, bytes: Array((through + "\n").utf8), mode: 0o600)
        }
        return commit
    }

    /// Replaces the whole profile with `bytes` (for `load`, `clear` and the like), keeping
    /// the old bytes in the history and journalling `action` with any `details`. The
    /// cursor is not touched.
    @discardableResult
    public func replaceProfile(with bytes: [UInt8], action: String,
                               details: [(String, JSONValue)] = []) throws(MemError) -> CommitResult {
        try prepareDirectories()
        let current = try FileSystem.readIfPresent(profilePath, limit: 16 << 20)
        var commit = CommitResult(wroteProfile: false, previous: nil)
        if current != bytes {
            commit = try replace(with: bytes, expecting: current)
        }
        var pairs: [(String, JSONValue)] = [
            ("time", .string(Timestamp.nowISO8601())),
            ("action", .string(action)),
        ]
        pairs.append(contentsOf: details)
        pairs.append(("previous", commit.previous.map { .string($0) } ?? .null))
        try FileSystem.appendLine(journalPath, JSONValue.object(pairs).serialized())
        return commit
    }

    // MARK: - Steps

    private func prepareDirectories() throws(MemError) {
        let memoryDir = MemoryLocation.fromEnvironment().memoryDir
        if !FileSystem.exists(directory) || FileSystem.resolvedPath(directory) == FileSystem.resolvedPath(memoryDir) {
            try FileSystem.makePrivateDirectory(directory)
        }
        try FileSystem.makePrivateDirectory(historyDirectory)
    }

    /// History copy of the current bytes (if any), then the atomic write.
    private func replace(with bytes: [UInt8], expecting original: [UInt8]?) throws(MemError) -> CommitResult {
        let current = try FileSystem.readIfPresent(profilePath, limit: 16 << 20)
        if current != original {
            throw MemError(.tempFailure, "\(profilePath) changed while the delta was being merged; nothing written, try again")
        }
        var previous: String?
        if let current {
            previous = try saveHistory(current)
        }
        try FileSystem.writeAtomically(profilePath, bytes: bytes, mode: 0o600)
        if previous != nil { pruneHistory() }
        return CommitResult(wroteProfile: true, previous: previous)
    }

    /// Writes `bytes` to a new `history/profile-<time>-<n>.md` (O_EXCL, 0600, fsynced).
    func saveHistory(_ bytes: [UInt8]) throws(MemError) -> String {
        let stamp = Timestamp.nowCompact()
        for n in 1...10_000 {
            let name = "profile-\(stamp)-\(n).md"
            let path = historyDirectory + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST { continue }
                throw MemError(.cantCreate, "cannot create \(path): \(lastErrorText())")
            }
            var ok = bytes.withUnsafeBytes { StandardStreams.writeAll(fd: fd, bytes: $0) }
            var failure = ok ? 0 : errno
            if ok, fchmod(fd, 0o600) != 0 { ok = false; failure = errno }
            if ok, fsync(fd) != 0 { ok = false; failure = errno }
            if close(fd) != 0, ok { ok = false; failure = errno }
            if !ok {
                unlink(path)
                throw MemError(.ioError, "cannot write \(path): \(lastErrorText(failure))")
            }
            FileSystem.syncDirectory(historyDirectory)
            return name
        }
        throw MemError(.cantCreate, "cannot find a free history file name in \(historyDirectory)")
    }

    /// The history files, oldest first (by time stamp, then by number).
    public func historyVersions() -> [String] {
        guard let dir = opendir(historyDirectory) else { return [] }
        defer { closedir(dir) }
        var found: [(stamp: String, n: Int, name: String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name.hasPrefix("profile-"), name.hasSuffix(".md") else { continue }
            let middle = name.dropFirst("profile-".count).dropLast(".md".count)
            guard let dash = middle.lastIndex(of: "-"), let n = Int(middle[middle.index(after: dash)...]) else { continue }
            found.append((String(middle[..<dash]), n, name))
        }
        found.sort { $0.stamp != $1.stamp ? $0.stamp < $1.stamp : $0.n < $1.n }
        return found.map(\.name)
    }

    /// Deletes the oldest history files beyond `maxHistoryVersions`.
    func pruneHistory() {
        let versions = historyVersions()
        guard versions.count > ProfileStore.maxHistoryVersions else { return }
        for name in versions.prefix(versions.count - ProfileStore.maxHistoryVersions) {
            unlink(historyDirectory + "/" + name)
        }
    }
}
