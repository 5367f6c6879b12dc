/// Where llm keeps its files and where the memory lives, from the same environment
/// variables llm and the porcelain read (README, "Files").
public struct MemoryLocation: Sendable {
    public let llmUserDir: String
    public let memoryDir: String

    public init(llmUserDir: String, memoryDir: String) {
        self.llmUserDir = llmUserDir
        self.memoryDir = memoryDir
    }

    public static func fromEnvironment() -> MemoryLocation {
        let user = llmUserDirFromEnvironment()
        let memory = Environment.value("LLM_MEMORY_DIR") ?? user + "/memory"
        return MemoryLocation(llmUserDir: user, memoryDir: memory)
    }

    static func llmUserDirFromEnvironment() -> String {
        if let path = Environment.value("LLM_USER_PATH") { return path }
        let home = Environment.value("HOME") ?? "."
        #if os(macOS)
        return home + "/Library/Application Support/io.datasette.llm"
        #else
        let config = Environment.value("XDG_CONFIG_HOME") ?? home + "/.config"
        return config + "/io.datasette.llm"
        #endif
    }

    public var logsDatabase: String { llmUserDir + "/logs.db" }
    public var profile: String { memoryDir + "/profile.md" }
    public var fragment: String { memoryDir + "/fragment.md" }
    /// The cursor token as one line of text, so the porcelain can `cat` it.
    public var cursor: String { memoryDir + "/cursor" }
    public var historyDir: String { memoryDir + "/history" }
    /// One JSON line per applied delta: time, ops applied and skipped, sources, through.
    public var journal: String { historyDir + "/journal.jsonl" }
}
