#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The profile on disk and the state kept beside it, in the profile's directory:
///
/// - `profile.md` (or whatever the profile is called) — 0600, replaced atomically.
/// - `history/profile-<UTC yyyymmddThhmmssZ>-<n>.md` — the bytes each change replaced
///   (0600; `n` counts from 1 within a second; written to a temp file and linked into
///   place, so a history file is never torn). At most `maxHistoryVersions` are kept; the
///   oldest go first.
/// - `history/journal.jsonl` — one JSON object per line, one line per commit:
///   `{"id", "time", <the caller's fields>, "sha256", "previous"}` (see `commit`; what the
///   fields say — action, bullet changes, source exchanges — is History/'s
///   `ChangeRecorder`, the one caller). `previous` names the history file holding the
///   bytes that were replaced, or is null when nothing was replaced. Lines written before
///   ids have none (their id is their line number) and say `"action": "merge"`.
/// - `history/provenance.json` — History/'s derived cache, not part of the protocol.
/// - `cursor` — the delta's `through`, one line, written (atomically, 0600) after the
///   profile, so the porcelain can pass it to `mem-extract --after`. A backfill's commit
///   writes `backfill-cursor` instead (`Change.cursorFile`): how far `llm memory
///   backfill` has read of what was logged before memory started, in the same protocol.
/// - `pending` — only while a commit is under way, or after one was interrupted (see below).
/// - `history-started` — written once, after the first journal line (`historyStartedPath`).
///
/// ## Commits: nothing lost, nothing doubled
///
/// A commit (a merge, or a whole-profile replacement) is, in this order:
///
/// 1. the history copy of the current profile (if it is about to be replaced);
/// 2. `pending`, written atomically: `{"profile": <file name>, "sha256": <hash of the
///    profile bytes the commit leaves, null for no profile file>, "journal_offset": <the
///    journal's size before this commit's line>, "entry": <that journal line>, "cursor":
///    <the cursor to write, or null>, "cursor_file": <its file, when not `cursor`>,
///    "lists": [<ListChange>] (only when there are)}`;
/// 3. the profile, replaced atomically (when its bytes change);
/// 4. the entries the change adds to or removes from the lists beside the profile
///    (`forgotten`, `undone`: `ListChange`), then the journal line (appended), then
///    once, if it is not there, `history-started`;
/// 5. the cursor (replaced atomically);
/// 6. `pending` removed.
///
/// A process killed anywhere in 1–6 leaves the old or the new profile, complete, and
/// `recover()` — run before every commit, and by `mem-merge --recover`, which the
/// porcelain runs under the update lock before it reads the cursor — finishes the job:
/// if the journal already holds the line at `journal_offset` (step 4 happened), or the
/// profile's bytes hash to `sha256` (step 3 happened, or there was nothing to write), it
/// appends the line (unless it is there; a torn line is cut off and written again), writes
/// the cursor and removes `pending`: the commit counts once. Otherwise the profile was
/// never replaced (killed in 1–2), and `pending` is dropped: the cursor did not move, so
/// the same exchanges are read again, and nothing of them was applied. Either way no
/// exchange is skipped and none is applied, journalled or sent to the model twice.
/// Recovery also removes temp files (`.<name>.tmp-<pid>-<n>`) left by dead processes.
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
    public var cursorPath: String { directory + "/" + ProfileStore.cursorFile }

    /// The cursor files a commit may move: live updates' and the backfill's.
    public static let cursorFile = "cursor"
    public static let backfillCursorFile = "backfill-cursor"
    static let cursorFiles: Set<String> = [cursorFile, backfillCursorFile]
    public var pendingPath: String { directory + "/pending" }
    /// Written once, after the first journal line: that a history is kept here, so a
    /// journal gone missing later (history/ moved or deleted) is told from one never
    /// kept (History/'s `HistoryDamage`). One line, the time. Outside `history/` on purpose.
    public var historyStartedPath: String { directory + "/history-started" }

    public struct CommitResult: Equatable, Sendable {
        /// True when the profile file was (re)written.
        public var wroteProfile: Bool
        /// The history file name holding the replaced bytes, if any.
        public var previous: String?
        /// The journal line's id, and the line itself.
        public var id: Int
        public var entry: JSONValue
    }

    /// What `recover()` did about an interrupted commit.
    public enum Recovery: Equatable, Sendable {
        /// No interrupted commit.
        case nothing
        /// The commit had replaced the profile: its journal line and cursor were completed.
        case completed(action: String, through: String?)
        /// The commit had not replaced the profile: it was dropped (nothing of it applied).
        case discarded(action: String, through: String?)

        /// One line for stderr, or nil when there was nothing to do.
        public var message: String? {
            switch self {
            case .nothing:
                return nil
            case let .completed(action, through):
                return "completed an interrupted \(action)\(through.map { " through \($0)" } ?? ""): its profile was written; journal and cursor brought up to date"
            case let .discarded(action, through):
                return "dropped an interrupted \(action)\(through.map { " through \($0)" } ?? "") whose profile was never written; "
                    + (through != nil ? "the cursor did not move, so those exchanges are read again" : "the profile is unchanged")
            }
        }
    }

    /// Where a commit may be stopped, for the tests of `recover()` (a thrown error there
    /// leaves the files exactly as a process killed at that point would).
    enum CommitStep: Sendable, CaseIterable {
        case historySaved, pendingWritten, profileWritten, listsWritten, journalAppended, cursorWritten
    }

    /// Entries one commit adds to and removes from a list beside the profile (`forgotten`
    /// or `undone`, `TextListFile`): written with the commit, after the profile and before
    /// the journal line, and again by a recovery that completes the commit (adding and
    /// removing are idempotent) — so a kill never leaves a text forgotten, or an exchange
    /// listed as undone, by a change that was never journalled.
    public struct ListChange: Sendable {
        public var list: TextListFile
        public var add: [String]
        public var remove: [String]

        public init(list: TextListFile, add: [String] = [], remove: [String] = []) {
            self.list = list
            self.add = add
            self.remove = remove
        }

        /// In the pending record the list is named by its file name (`{"list", "add", "remove"}`).
        var json: JSONValue {
            .object([("list", .string(FileSystem.baseName(list.path))), ("add", .array(add.map { .string($0) })),
                     ("remove", .array(remove.map { .string($0) }))])
        }

        init?(json: JSONValue, directory: String) {
            guard let name = json["list"]?.stringValue, let list = TextListFile.named(name, inDirectory: directory) else { return nil }
            self.init(list: list, add: (json["add"]?.arrayValue ?? []).compactMap(\.stringValue),
                      remove: (json["remove"]?.arrayValue ?? []).compactMap(\.stringValue))
        }

        func apply() throws(MemError) {
            try list.add(add)
            try list.remove(remove)
        }
    }

    /// Tests only: the commit throws right after this step.
    var stopAfter: CommitStep?

    /// The current profile bytes (validated), or nil when there is no profile yet.
    public func loadBytes() throws(MemError) -> [UInt8]? {
        try ProfileFile.readBytes(path: profilePath)
    }

    /// One change to commit (see `commit(_:)`): what to write, what it was computed from,
    /// and the journal line's own fields.
    public struct Change: Sendable {
        /// The new profile bytes; nil leaves the profile as it is (a merge that changed
        /// nothing is still journalled and moves the cursor; a hand edit is journalled
        /// as found).
        public var bytes: [UInt8]?
        /// The profile bytes the change was computed from (nil: no profile file). If the
        /// file no longer holds them, nothing is written (exit 75, try again).
        public var original: [UInt8]?
        /// The cursor to write once the line is journalled, if any.
        public var cursor: String?
        /// The file it goes to, beside the profile: `cursor`, or a backfill's `backfill-cursor`.
        public var cursorFile: String = ProfileStore.cursorFile
        /// The line's `time` (default: now).
        public var time: String?
        /// The line's fields after `id`, `time` (`action`, `changes`, …); the store adds
        /// `sha256` and `previous` after them.
        public var fields: [(String, JSONValue)]
        /// What the change does to the lists beside the profile (step 4).
        public var lists: [ListChange]

        public init(bytes: [UInt8]?, original: [UInt8]?, cursor: String? = nil, time: String? = nil,
                    fields: [(String, JSONValue)], lists: [ListChange] = []) {
            self.bytes = bytes
            self.original = original
            self.cursor = cursor
            self.time = time
            self.fields = fields
            self.lists = lists
        }
    }

    /// Commits one change: steps 1–6 (see the type's documentation). The journal line is
    /// `{"id", "time", <fields>, "sha256", "previous"}`: `id` one more than the last
    /// line's (`JournalFile.nextID`), `sha256` the hash of the profile bytes the change
    /// leaves (`bytes`, else `original`; null for no profile file) — what tells a later
    /// command whether the profile was edited by hand since — and `previous` the history
    /// file holding the bytes that were replaced, or null. An interrupted earlier commit is
    /// recovered first. Callers hold the update lock (the porcelain takes it).
    @discardableResult
    public func commit(_ change: Change) throws(MemError) -> CommitResult {
        try prepareDirectories()
        _ = try recover()
        let current = try FileSystem.readIfPresent(profilePath, limit: 16 << 20)
        if change.bytes != nil, current != change.original {
            throw MemError(.tempFailure, "\(profilePath) changed while the change was being made; nothing written, try again")
        }
        if let bytes = change.bytes, bytes == current {
            var unchanged = change
            unchanged.bytes = nil
            return try commit(unchanged)
        }
        var previous: String?
        if change.bytes != nil, let current {
            previous = try saveHistory(current)
        }
        try stop(after: .historySaved)
        let id = try JournalFile(path: journalPath).nextID()
        let after = change.bytes ?? change.original
        var pairs: [(String, JSONValue)] = [("id", .number(Double(id))), ("time", .string(change.time ?? Timestamp.nowISO8601()))]
        pairs.append(contentsOf: change.fields)
        pairs.append(("sha256", after.map { .string(SHA256.hex($0)) } ?? .null))
        pairs.append(("previous", previous.map { .string($0) } ?? .null))
        let entry: JSONValue = .object(pairs)
        let offset = JournalFile(path: journalPath).size
        var fields: [(String, JSONValue)] = [
            ("profile", .string(FileSystem.baseName(profilePath))),
            ("sha256", after.map { .string(SHA256.hex($0)) } ?? .null),
            ("journal_offset", .number(Double(offset))),
            ("entry", entry),
            ("cursor", change.cursor.map { .string($0) } ?? .null),
        ]
        if change.cursorFile != ProfileStore.cursorFile { fields.append(("cursor_file", .string(change.cursorFile))) }
        if !change.lists.isEmpty { fields.append(("lists", .array(change.lists.map(\.json)))) }
        let record: JSONValue = .object(fields)
        try FileSystem.writeAtomically(pendingPath, bytes: Array((record.serialized() + "\n").utf8), mode: 0o600)
        try stop(after: .pendingWritten)
        if let bytes = change.bytes {
            do {
                try FileSystem.writeAtomically(profilePath, bytes: bytes, mode: 0o600)
            } catch {
                unlink(pendingPath)
                throw error
            }
            try stop(after: .profileWritten)
        }
        try finish(entry: entry, cursor: change.cursor, cursorFile: change.cursorFile, lists: change.lists, journalOffset: offset)
        if previous != nil { pruneHistory() }
        return CommitResult(wroteProfile: change.bytes != nil, previous: previous, id: id, entry: entry)
    }

    /// Finishes or drops a commit that a killed process left half done (see the type's
    /// documentation), and removes temp files of dead processes. Call it holding the
    /// update lock, before reading the cursor.
    @discardableResult
    public func recover() throws(MemError) -> Recovery {
        removeStaleTempFiles()
        guard let bytes = try FileSystem.readIfPresent(pendingPath, limit: 32 << 20) else { return .nothing }
        guard let record = try? JSONParser.parse(bytes), case .object = record,
              let name = record["profile"]?.stringValue, let entry = record["entry"], case .object = entry,
              case let .number(offsetValue)? = record["journal_offset"], offsetValue >= 0, offsetValue.isFinite
        else {
            // Not ours to read: a record is written atomically, so this is not a torn one.
            unlink(pendingPath)
            FileSystem.syncDirectory(directory)
            return .discarded(action: "commit (unreadable pending record)", through: nil)
        }
        let action = entry["action"]?.stringValue ?? "commit"
        let cursor = record["cursor"]?.stringValue
        // Only a cursor file of ours: a record naming another is not ours to follow.
        let cursorFile = record["cursor_file"]?.stringValue ?? ProfileStore.cursorFile
        guard ProfileStore.cursorFiles.contains(cursorFile) else {
            unlink(pendingPath)
            FileSystem.syncDirectory(directory)
            return .discarded(action: "commit (pending record names an unknown cursor file)", through: nil)
        }
        let offset = Int(offsetValue)
        let journalled = try journalState(at: offset, line: entry.serialized())
        // The record names its profile (another --profile may share this directory, its
        // journal and its cursor): that file's bytes tell whether the write happened.
        let current = name.isEmpty || name.contains("/") ? nil
            : try FileSystem.readIfPresent(directory + "/" + name, limit: 16 << 20)
        let expected = record["sha256"]?.stringValue
        let profileWritten = current.map { SHA256.hex($0) } == expected
        if journalled != .absent || profileWritten {
            let lists = (record["lists"]?.arrayValue ?? []).compactMap { ListChange(json: $0, directory: directory) }
            try finish(entry: entry, cursor: cursor, cursorFile: cursorFile, lists: lists, journalOffset: offset)
            return .completed(action: action, through: cursor)
        }
        unlink(pendingPath)
        FileSystem.syncDirectory(directory)
        return .discarded(action: action, through: cursor)
    }

    // MARK: - Steps

    /// Creates the profile's directory (0700 when it is the memory dir) and `history/`.
    public func prepareDirectories() throws(MemError) {
        let memoryDir = MemoryLocation.fromEnvironment().memoryDir
        if !FileSystem.exists(directory) || FileSystem.resolvedPath(directory) == FileSystem.resolvedPath(memoryDir) {
            try FileSystem.makePrivateDirectory(directory)
        }
        try FileSystem.makePrivateDirectory(historyDirectory)
    }

    /// Steps 4–6: the lists, the journal line (unless already there at `journalOffset`; a
    /// torn one is cut off first), the cursor (into `cursorFile`), and `pending` removed.
    private func finish(entry: JSONValue, cursor: String?, cursorFile: String, lists: [ListChange],
                        journalOffset offset: Int) throws(MemError) {
        for list in lists { try list.apply() }
        if !lists.isEmpty { try stop(after: .listsWritten) }
        let line = entry.serialized()
        switch try journalState(at: offset, line: line) {
        case .complete:
            break
        case .torn:
            guard truncate(journalPath, off_t(offset)) == 0 else {
                throw MemError(.ioError, "cannot cut the torn last line of \(journalPath): \(lastErrorText())")
            }
            try FileSystem.appendLine(journalPath, line)
        case .absent:
            try FileSystem.appendLine(journalPath, line)
        }
        try stop(after: .journalAppended)
        // Not writing it (a full disk) only leaves the next commit to try again.
        if !FileSystem.exists(historyStartedPath) {
            try? FileSystem.writeAtomically(historyStartedPath, bytes: Array((Timestamp.nowISO8601() + "\n").utf8), mode: 0o600)
        }
        if let cursor {
            try FileSystem.writeAtomically(directory + "/" + cursorFile, bytes: Array((cursor + "\n").utf8), mode: 0o600)
            try stop(after: .cursorWritten)
        }
        unlink(pendingPath)
        FileSystem.syncDirectory(directory)
    }

    enum JournalState { case absent, torn, complete }

    /// Whether the journal holds `line` (and its newline) at byte `offset`, a torn start
    /// of it that ends the file, or neither.
    private func journalState(at offset: Int, line: String) throws(MemError) -> JournalState {
        let expected = Array((line + "\n").utf8)
        let fd = open(journalPath, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return .absent }
            throw MemError(.ioError, "cannot open \(journalPath): \(lastErrorText())")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MemError(.ioError, "cannot read \(journalPath): \(lastErrorText())") }
        let size = Int(info.st_size)
        guard size > offset else { return .absent }
        var found = [UInt8](repeating: 0, count: min(size - offset, expected.count))
        var got = 0
        while got < found.count {
            let n = found.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(offset + got)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        found.removeLast(found.count - got)
        if found == expected { return .complete }
        if offset + found.count == size, expected.starts(with: found) { return .torn }
        return .absent
    }

    /// Whether the temp file at `path`, named for process `pid`, was left by a process that
    /// is gone: there is no such process, it is a zombie, or (Linux) it started after the
    /// file was last written — the pid was reused. (Removing a live writer's temp file
    /// would only make its rename fail: nothing is lost either way.)
    static func isLeftBehind(_ path: String, by pid: Int32) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        #if os(Linux)
        guard let raw = try? FileSystem.readIfPresent("/proc/\(pid)/stat", limit: 4096),
              let close = raw.lastIndex(of: UInt8(ascii: ")")) else { return false }
        let fields = raw[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        // fields[0] is the state (stat's 3rd field), fields[19] the start time (22nd), in
        // clock ticks since boot.
        if fields.first == "Z" { return true }
        guard fields.count > 19, let ticks = Double(fields[19]) else { return false }
        var file = stat()
        guard stat(path, &file) == 0 else { return false }
        var real = timespec(), boot = timespec()
        clock_gettime(CLOCK_REALTIME, &real)
        clock_gettime(CLOCK_BOOTTIME, &boot)
        let bootedAt = Double(real.tv_sec - boot.tv_sec) + Double(real.tv_nsec - boot.tv_nsec) / 1e9
        let started = bootedAt + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
        let written = Double(file.st_mtim.tv_sec) + Double(file.st_mtim.tv_nsec) / 1e9
        return started > written + 0.05
        #else
        return false
        #endif
    }

    private func stop(after step: CommitStep) throws(MemError) {
        if stopAfter == step { throw MemError(.ioError, "stopped after \(step) (test)") }
    }

    /// Writes `bytes` to a new `history/profile-<time>-<n>.md` (0600): into a temp file
    /// (fsynced), then linked to the first free name, so the name never shows torn bytes.
    func saveHistory(_ bytes: [UInt8]) throws(MemError) -> String {
        let tempPath = try FileSystem.writeTempFile(in: historyDirectory, for: "profile", bytes: bytes,
                                                    naming: historyDirectory + "/profile-….md")
        defer { unlink(tempPath) }
        let stamp = Timestamp.nowCompact()
        for n in 1...10_000 {
            let name = "profile-\(stamp)-\(n).md"
            let path = historyDirectory + "/" + name
            if link(tempPath, path) == 0 {
                FileSystem.syncDirectory(historyDirectory)
                return name
            }
            if errno == EEXIST { continue }
            // A file system without hard links: rename (we hold the update lock, so the
            // name checked free stays free).
            guard errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == EMLINK else {
                throw MemError(.cantCreate, "cannot create \(path): \(lastErrorText())")
            }
            if FileSystem.exists(path) { continue }
            guard rename(tempPath, path) == 0 else { throw MemError(.cantCreate, "cannot create \(path): \(lastErrorText())") }
            FileSystem.syncDirectory(historyDirectory)
            return name
        }
        throw MemError(.cantCreate, "cannot find a free history file name in \(historyDirectory)")
    }

    /// Removes `.<name>.tmp-<pid>-<n>` files that `FileSystem.writeAtomically` and
    /// `saveHistory` left behind when their process was killed: beside the profile (or
    /// its symlink's target), the cursor, `pending`, the `forgotten` and `undone` lists,
    /// and in `history/` (history copies, the provenance cache). A file whose process
    /// still runs is left alone.
    func removeStaleTempFiles() {
        let target = FileSystem.resolvedPath(profilePath)
        let places: [(dir: String, names: Set<String>)] = [
            (FileSystem.directoryName(target), [FileSystem.baseName(target)]),
            (directory, ["cursor", "backfill-cursor", "pending", "forgotten", "undone", "history-started"]),
            (historyDirectory, ["profile", "provenance.json"]),
        ]
        for (dir, names) in places {
            guard let handle = opendir(dir) else { continue }
            var stale: [String] = []
            while let entry = readdir(handle) {
                let file = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                // ".<name>.tmp-<pid>-<n>"
                let parts = file.split(separator: "-", omittingEmptySubsequences: false)
                guard file.hasPrefix("."), parts.count >= 3, let pid = Int32(parts[parts.count - 2]), pid > 0,
                      Int(parts[parts.count - 1]) != nil else { continue }
                let head = parts[0..<(parts.count - 2)].joined(separator: "-")
                guard head.hasSuffix(".tmp"), names.contains(String(head.dropFirst().dropLast(".tmp".count))) else { continue }
                if ProfileStore.isLeftBehind(dir + "/" + file, by: pid) { stale.append(dir + "/" + file) }
            }
            closedir(handle)
            stale.forEach { unlink($0) }
        }
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
