/// The exchanges a change came from, quoted for `log` and `why`: the user's words read
/// from llm's logs.db on demand (redacted like everything the memory shows or sends, one
/// line, cut to `limit`), or — when logs.db no longer has the exchange — what the
/// journal kept of it (`SourceExchange`: redacted, at most 120 characters).
public final class ExchangeLookup {
    public let databasePath: String
    private var reader: ExchangeReader?
    private var opened = false
    private var found: [String: Exchange?] = [:]
    /// Why logs.db could not be read, once it was tried (for one line on stderr).
    public private(set) var problem: String?

    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// One exchange as shown: from logs.db (`inLogs`) or as the journal kept it.
    public struct Quoted: Sendable {
        public var id: String
        public var datetime: String?
        public var model: String?
        public var conversation: String?
        public var words: String?
        public var inLogs: Bool

        public var json: JSONValue {
            func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            return .object([("id", .string(id)), ("datetime", opt(datetime)), ("model", opt(model)),
                            ("conversation", opt(conversation)), ("words", opt(words)), ("in_logs", .bool(inLogs))])
        }
    }

    public func quote(_ kept: SourceExchange, limit: Int) -> Quoted {
        guard let exchange = exchange(kept.id) else {
            return Quoted(id: kept.id, datetime: kept.datetime, model: kept.model, conversation: kept.conversation,
                          words: kept.words, inLogs: false)
        }
        let prompt = exchange.prompt ?? ""
        return Quoted(id: kept.id, datetime: exchange.datetime ?? kept.datetime, model: exchange.model ?? kept.model,
                      conversation: exchange.conversation ?? kept.conversation,
                      words: prompt.isEmpty ? kept.words : Redactor.snippet(prompt, limit: limit), inLogs: true)
    }

    /// The exchange from logs.db; nil when it is not there or logs.db cannot be read.
    func exchange(_ id: String) -> Exchange? {
        if let known = found[id] { return known }
        if !opened {
            opened = true
            if FileSystem.exists(databasePath) {
                do {
                    reader = try ExchangeReader(database: SQLiteDatabase(path: databasePath))
                } catch {
                    problem = "cannot read \(databasePath) (\(error.message)); showing what the memory dir kept"
                }
            } else {
                problem = "\(databasePath) does not exist; showing what the memory dir kept"
            }
        }
        var result: Exchange?
        if let reader {
            do {
                result = try reader.exchange(id: id)
            } catch {
                problem = "cannot read \(databasePath) (\(error.message)); showing what the memory dir kept"
            }
        }
        found[id] = result
        return result
    }
}
