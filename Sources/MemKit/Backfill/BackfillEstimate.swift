/// What a backfill would cost, worked out before anything is sent: the exchanges in the
/// range, how many the gate passes, and — per model they would go to — the model calls
/// and the characters (about four a token) the passes would send.
///
/// It plays the passes `llm-memory backfill` makes with the rules mem-propose applies:
/// `LLM_MEMORY_BATCH` exchanges read per pass; exchanges off the record (paused,
/// `LLM_MEMORY_DISABLED`, in a conversation that was), undone by `llm memory undo`, or
/// without typed text are read and never sent; the `Gate`; one call never mixes models
/// (`ModelChoice.sameRoutePrefix`: each exchange to its own model unless a memory model is
/// chosen, `local` sending nothing); the budget of exchange text per call
/// (`UpdatePrompt.batch`). A call's characters are its exchanges' text as trimmed for
/// sending, their framing, and what every call repeats: the instructions and the current
/// profile. What cannot be known before the replies is left out: a reply cut off, or over
/// `--max-ops`, carries exchanges to one more call; the profile grows as facts are learned.
/// Redaction is not applied to the sizes (it changes a secret's length by a few characters).
public struct BackfillEstimate: Equatable, Sendable {
    public struct ModelLine: Equatable, Sendable {
        /// A model id, or "local" (the built-in offline extractor: nothing sent).
        public var model: String
        public var exchanges = 0
        public var calls = 0
        public var characters = 0
        public var tokens: Int { BackfillEstimate.tokens(characters) }
    }

    /// The range asked for, and where memory started.
    public var origin: Cursor
    public var originTime: String?
    public var range: BackfillRange
    /// Exchanges in the range; of them, read by an earlier backfill; left to read.
    public var inRange = 0
    public var readBefore = 0
    public var left = 0
    /// Of those left: off the record, undone, with no typed text, dropped by the gate, to send.
    public var offRecord = 0
    public var undone = 0
    public var noText = 0
    public var gatedOut = 0
    public var toSend = 0
    /// The `datetime` of the first and last exchange left.
    public var firstTime: String?
    public var lastTime: String?
    /// The memory model (`--model`, `LLM_MEMORY_MODEL`, the `model` file), or nil: each
    /// exchange to its own model.
    public var memoryModel: String?
    public var memoryModelOrigin: String?
    public var models: [ModelLine] = []
    public var batch: Int
    public var budget: Int

    public var calls: Int { models.reduce(0) { $0 + $1.calls } }
    public var characters: Int { models.reduce(0) { $0 + $1.characters } }
    public var tokens: Int { BackfillEstimate.tokens(characters) }

    /// About four characters a token (English text with the common tokenizers).
    public static func tokens(_ characters: Int) -> Int { (characters + 3) / 4 }

    // MARK: - Playing the passes

    /// One exchange left to read, as the estimate keeps it: where it would go (nil: not
    /// sent) and what sending it costs.
    struct Item {
        var route: ModelChoice.Route?
        var size: Int
    }

    /// Plays the passes over one stretch of `items` (a run: passes never cross runs).
    mutating func play(_ items: [Item], isLocal: Bool, overhead: Int, frame: (Int) -> Int) {
        var i = 0
        while i < items.count {
            let window = items[i..<min(items.count, i + batch)]
            let base = window.startIndex
            let sent = window.filter { $0.route != nil }.count
            if isLocal || sent == 0 {
                if sent > 0 { self[line: Proposer.localModel].exchanges += sent }
                i += window.count
                continue
            }
            let (count, route) = ModelChoice.sameRoutePrefix(count: window.count) { items[base + $0].route }
            switch route {
            case let .model(model)?:
                let taken = UpdatePrompt.batch(count: count, budget: budget) { k in
                    items[base + k].route == nil ? nil : items[base + k].size
                }
                var chars = overhead + taken.sentChars
                for n in stride(from: 1, through: taken.sentIndices.count, by: 1) { chars += frame(n) }
                self[line: model].calls += 1
                self[line: model].exchanges += taken.sentIndices.count
                self[line: model].characters += chars
                i += max(1, taken.consumed)
            case .local?, nil:
                self[line: Proposer.localModel].exchanges += window.prefix(count).filter { $0.route != nil }.count
                i += max(1, count)
            }
        }
    }

    /// The line of `model`, made on first use (in the order models are met).
    private subscript(line model: String) -> ModelLine {
        get {
            models.first(where: { $0.model == model }) ?? ModelLine(model: model)
        }
        set {
            if let index = models.firstIndex(where: { $0.model == model }) {
                models[index] = newValue
            } else {
                models.append(newValue)
            }
        }
    }
}
