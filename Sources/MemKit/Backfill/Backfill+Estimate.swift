extension Backfill {
    public struct EstimateOptions: Sendable {
        public var range: BackfillRange = .all
        /// `--model`: the memory model for this backfill; nil → `LLM_MEMORY_MODEL`, the
        /// `model` file, else each exchange's own model (as mem-propose decides).
        public var model: String?
        /// Exchanges read per pass (`LLM_MEMORY_BATCH`, what the porcelain passes mem-extract).
        public var batch = 200
        public var limits = UpdatePrompt.Limits()
        public var gate = true

        public init() {}
    }

    /// What reading the range would cost (`BackfillEstimate`), from one read of llm's log
    /// in this process: the stretches left, off the record and undone marked as
    /// mem-extract marks them, each exchange gated and sized as mem-propose would (without
    /// redaction), the passes played as the porcelain and mem-propose make them.
    public static func estimate(_ options: EstimateOptions, context: Context) throws(MemError) -> BackfillEstimate {
        let state = try context.state()
        let choice = try ModelChoice.resolve(option: options.model, memoryDir: context.memoryDir)
        var estimate = BackfillEstimate(origin: state.origin, originTime: state.originTime, range: options.range,
                                        batch: options.batch, budget: options.limits.budgetChars)
        estimate.memoryModel = choice.memoryModel
        switch choice.origin {
        case .option?: estimate.memoryModelOrigin = "--model"
        case .environment?: estimate.memoryModelOrigin = "LLM_MEMORY_MODEL"
        case .file?: estimate.memoryModelOrigin = "llm memory model"
        case nil: break
        }
        guard let reader = try context.reader() else { return estimate }
        // Read before the log, as mem-extract does: a broken list stops the estimate.
        let stretches = try OffRecordStretches(path: context.offRecordPath)
        let undone = try context.undone()
        let start = try options.range.start(in: reader, origin: state.origin)
        estimate.inRange = try reader.count(after: start, until: state.origin)

        // What every call repeats: the instructions, the profile, the request's frame.
        let profile = String(decoding: try FileSystem.readIfPresent(context.profilePath, limit: 16 << 20) ?? [], as: UTF8.self)
        let empty = UpdatePrompt(exchanges: [], profile: profile, limits: options.limits, backfill: true)
        let overhead = empty.system.unicodeScalars.count + empty.user.unicodeScalars.count
        let frame = { (n: Int) -> Int in
            let f = UpdatePrompt.frame(n, date: "2000-01-01")
            return f.open.unicodeScalars.count + f.middle.unicodeScalars.count + f.close.unicodeScalars.count
        }

        for run in state.runs(from: start) {
            var items: [BackfillEstimate.Item] = []
            try reader.read(after: run.after, until: run.until, offRecord: stretches, undone: undone) { exchange in
                if estimate.firstTime == nil { estimate.firstTime = exchange.datetime }
                estimate.lastTime = exchange.datetime ?? estimate.lastTime
                items.append(classify(exchange, into: &estimate, choice: choice, options: options))
            }
            estimate.left += items.count
            estimate.play(items, isLocal: choice.isLocal, overhead: overhead, frame: frame)
        }
        estimate.readBefore = max(0, estimate.inRange - estimate.left)
        return estimate
    }

    /// Counts `exchange` in the estimate and says where it would go.
    static func classify(_ exchange: Exchange, into estimate: inout BackfillEstimate, choice: ModelChoice,
                         options: EstimateOptions) -> BackfillEstimate.Item {
        switch exchange.skip {
        case .undone?:
            estimate.undone += 1
            return .init(route: nil, size: 0)
        case .disabled?, .paused?:
            estimate.offRecord += 1
            return .init(route: nil, size: 0)
        case nil:
            break
        }
        guard let prompt = exchange.prompt, !prompt.trimmingWhitespace().isEmpty else {
            estimate.noText += 1
            return .init(route: nil, size: 0)
        }
        if options.gate, !Gate.mayDisclose(exchange) {
            estimate.gatedOut += 1
            return .init(route: nil, size: 0)
        }
        estimate.toSend += 1
        return .init(route: choice.route(exchange),
                     size: UpdatePrompt.sentSize(exchange, limits: options.limits, redacting: false) ?? 0)
    }
}
