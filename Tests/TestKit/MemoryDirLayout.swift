/// The memory dir's files, named once for every test lab (README: Files): a lab says
/// `memory.profile`, not `dir + "/profile.md"`, so a file that moves moves here only.
public struct MemoryDirLayout: Sendable {
    public let dir: String

    public init(_ dir: String) { self.dir = dir }

    public var profile: String { dir + "/profile.md" }
    public var fragment: String { dir + "/fragment.md" }
    public var cursor: String { dir + "/cursor" }
    public var pending: String { dir + "/pending" }
    public var lastUpdate: String { dir + "/last-update" }
    public var notice: String { dir + "/notice" }
    public var againNote: String { dir + "/update.again" }
    public var paused: String { dir + "/paused" }
    public var offRecord: String { dir + "/off-record" }
    public var model: String { dir + "/model" }
    public var watchPid: String { dir + "/watch.pid" }
    public var draft: String { dir + "/.edit.md" }
    public var forgotten: String { dir + "/forgotten" }
    public var undone: String { dir + "/undone" }
    public var historyStarted: String { dir + "/history-started" }
    public var origin: String { dir + "/origin" }
    public var backfillState: String { dir + "/backfill" }
    public var backfillCursor: String { dir + "/backfill-cursor" }
    public var backfillPid: String { dir + "/backfill.pid" }
    public var updateLog: String { dir + "/log/updates.log" }
    public var historyDir: String { dir + "/history" }
    public var journal: String { historyDir + "/journal.jsonl" }
    public var provenance: String { historyDir + "/provenance.json" }
}
