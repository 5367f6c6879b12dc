/// mem-propose's work: exchanges in, one delta out (README, "mem-propose").
///
/// 1. Reads the exchanges (JSON Lines; a malformed line is a data error, exit 65) and the
///    profile (one mem-merge would refuse — not UTF-8 text, over 1 MiB — is exit 65 too).
///    None → a delta with no ops and no model call.
/// 2. The gate (`Gate`, unless `gate` is off): exchanges whose typed prompt shows no sign
///    of saying something about the user are not sent, but they are read: they are in
///    `sources` and `through` moves past them. Said on stderr ("gate: 3 of 20 exchanges
///    could say something about you"). With the gate off, every exchange with user text is
///    sent (tool-result follow-ups and empty prompts never are). When nothing is left to
///    send: a delta with no ops, all `sources`, the last `through`, and no model call.
/// 3. Where the exchanges go (`ModelChoice`, contract C4): the memory model (`--model`,
///    `LLM_MEMORY_MODEL`, the memory dir's `model` file), else each exchange's own model.
///    One call takes exchanges of one model only: the batch stops before the first
///    exchange to send whose model differs (said on stderr). `local` — chosen, or for
///    exchanges with no model recorded — is `LocalExtractor`: no budget, no `llm`, no
///    network, and the delta's `model` is "local".
/// 4. The budget (`UpdatePrompt.batch`, `limits.budgetChars`): exchanges are taken in
///    order while their trimmed text fits; the first always fits; the batch stops at the
///    first that does not, and the rest is left for the next pass (the porcelain loops
///    until nothing is new). Said on stderr when it stops early.
/// 5. Calls the model once through `llm` (`ModelClient`) with the prompt of the exchanges
///    sent (`UpdatePrompt`, with today's date and each exchange's). A model that cannot be
///    used at all (unknown, no key, key refused, plugin gone) → exit 69 with nothing on
///    stdout and a one-line message naming it and the fix; there is no fallback to
///    another model. llm missing → 69. Anything temporary (timeout, network, rate limit,
///    other errors) → exit 75, nothing on stdout.
/// 6. Parses the reply (`ReplyParser`) and decides which exchanges it covered
///    (`BatchCut`): ops dropped for a limit (`--max-ops`, a reply cut off, the reply cap)
///    never mark their exchanges as read — `sources` and `through` stop before the first
///    exchange whose ops were not all kept, its ops and later ones are left out, and the
///    rest is proposed again in the next pass. Not even the first exchange whole → asked
///    again with that exchange alone; a single exchange whose ops alone do not fit keeps
///    what fits, once (said on stderr), so nothing loops.
/// 7. `ReplyGuard`: drops ops that read like instructions or are not UTF-8, reads a
///    placeholder replace as a remove, and refuses a reply that would wipe the profile.
///    Returns the delta: the ops (each with `source_time`, its exchange's `datetime`),
///    `sources`, `through`, `model` = the model that answered.
public struct Proposer {
    /// The model name that selects the built-in offline extractor.
    public static let localModel = "local"

    public struct Options {
        public var profilePath: String
        /// `--model`; nil → `LLM_MEMORY_MODEL`, the memory dir's `model` file, else each
        /// exchange's own model (`ModelChoice`).
        public var model: String?
        /// The memory dir, where the `model` file is.
        public var memoryDir: String = MemoryLocation.fromEnvironment().memoryDir
        /// Today's date (`YYYY-MM-DD`) for the request; nil → today, UTC.
        public var today: String?
        /// The `llm` executable (path or name on PATH).
        public var llm: String
        public var timeout: Double = 120
        /// Whether exchanges pass the `Gate` before anything is sent (`--no-gate` turns it off).
        public var gate = true
        /// The exchanges are from before memory started (`--backfill`): the request says
        /// they are older than the profile (`UpdatePrompt`).
        public var backfill = false
        public var parser = ReplyParser.Options()
        public var limits = UpdatePrompt.Limits()

        public init(profilePath: String, model: String?, llm: String) {
            self.profilePath = profilePath
            self.model = model
            self.llm = llm
        }
    }

    public var options: Options
    /// Receives each line for stderr (without the tool's name).
    public var report: (String) -> Void

    public init(options: Options, report: @escaping (String) -> Void) {
        self.options = options
        self.report = report
    }

    public func propose(exchangeLines: [UInt8]) throws(MemError) -> Delta {
        let exchanges = try Exchange.readLines(exchangeLines)
        return try propose(exchanges)
    }

    /// The delta for `exchanges`, with what the journal may keep of the exchanges its ops
    /// came from (`Delta.exchanges`: ids, time, model, conversation, the user's words as
    /// `Redactor.snippet` leaves them) — mem-merge records it with the change, so `why`
    /// can still say where a bullet came from once logs.db no longer has the exchange.
    public func propose(_ exchanges: [Exchange]) throws(MemError) -> Delta {
        var delta = try makeDelta(exchanges)
        delta.exchanges = Proposer.sourceExchanges(of: delta.ops, in: exchanges)
        if options.backfill { delta.action = .backfill }
        return delta
    }

    /// The exchanges `ops` cite; an op citing none could come from any exchange with
    /// typed text (at most 20 of them are listed).
    static func sourceExchanges(of ops: [DeltaOp], in exchanges: [Exchange]) -> [SourceExchange] {
        guard !ops.isEmpty else { return [] }
        let cited = Set(ops.compactMap(\.source))
        let anyUncited = ops.contains { $0.source == nil }
        var seen = Set<String>()
        let chosen = exchanges.filter { exchange in
            guard seen.insert(exchange.id).inserted else { return false }
            return cited.contains(exchange.id) || (anyUncited && !(exchange.prompt ?? "").trimmingWhitespace().isEmpty)
        }
        return chosen.prefix(anyUncited ? 20 : chosen.count).map { exchange in
            SourceExchange(id: exchange.id, datetime: exchange.datetime, model: exchange.model,
                           conversation: exchange.conversation, words: Redactor.snippet(exchange.prompt ?? ""))
        }
    }

    private func makeDelta(_ exchanges: [Exchange]) throws(MemError) -> Delta {
        guard let last = exchanges.last else { return Delta(ops: []) }

        let hasText = exchanges.map { !($0.prompt ?? "").trimmingWhitespace().isEmpty }
        let send = options.gate ? exchanges.map { Gate.mayDisclose($0) } : hasText
        let passing = send.filter { $0 }.count
        if options.gate {
            let noun = exchanges.count == 1 ? "exchange" : "exchanges"
            report("gate: \(passing) of \(exchanges.count) \(noun) could say something about you\(passing == 0 ? "; no model call" : "")")
        } else if passing == 0 {
            report("no exchange in this batch has user text (tool-result follow-ups only); nothing to ask the model")
        }

        let profileBytes = try FileSystem.readIfPresent(options.profilePath, limit: 16 << 20) ?? []
        // A profile mem-merge would refuse (not UTF-8 text, NUL bytes, over 1 MiB) stops here,
        // with the same exit 65, before any model call is spent on it.
        _ = try ProfileDocument(validating: profileBytes, name: options.profilePath)
        let profile = Profile(bytes: profileBytes)

        let choice = try ModelChoice.resolve(option: options.model, memoryDir: options.memoryDir)
        if choice.isLocal {
            return local(exchanges[...], send: send, profile: profile)
        }
        if passing == 0 {
            return Delta(ops: [], sources: Proposer.ids(exchanges[...]), through: last.cursor, model: nil)
        }
        // One call, one model: up to the first exchange to send that goes elsewhere.
        let (count, route) = choice.sameRoutePrefix(exchanges[...], send: send)
        let group = exchanges[..<count]
        if count < exchanges.count {
            let left = exchanges.count - count
            report("model: the \(left) exchange\(left == 1 ? "" : "s") from \(exchanges[count].id) on \(left == 1 ? "goes" : "go") to another model (\(Proposer.describe(choice.route(exchanges[count])))) in the next pass; one call never mixes models")
        }
        switch route {
        case let .model(model)?:
            return try call(model, group: Array(group), send: Array(send[..<count]), profile: profile, choice: choice)
        case .local?, nil:
            report("model: \(group.count == 1 ? "this exchange has" : "these exchanges have") no model recorded, so the built-in offline extractor reads \(group.count == 1 ? "it" : "them") (nothing is sent)")
            return local(group, send: send, profile: profile)
        }
    }

    /// Whether the profile has outgrown the fragment's budget (`LLM_MEMORY_MAX_CHARS`, as
    /// mem-render reads it), so the model is asked to consolidate it; said on stderr.
    func consolidation(_ profile: Profile) -> UpdatePrompt.Consolidation? {
        let budget: Int
        do {
            budget = try FragmentBudget.fromEnvironment()
        } catch {
            report("\(error.message); the profile's size is not checked against it")
            return nil
        }
        let fragment = FragmentRenderer.render(ProfileDocument(bytes: profile.bytes), maxChars: budget)
        guard let consolidation = UpdatePrompt.Consolidation(fragment) else { return nil }
        report("the profile has outgrown the fragment's budget (\(consolidation.injected) of \(consolidation.total) bullets fit in \(budget) characters): the model is asked to consolidate it")
        return consolidation
    }

    /// The profile as read, and as text.
    struct Profile {
        let bytes: [UInt8]
        let text: String

        init(bytes: [UInt8]) {
            self.bytes = bytes
            text = String(decoding: bytes, as: UTF8.self)
        }
    }

    static func describe(_ route: ModelChoice.Route) -> String {
        switch route {
        case let .model(model): return "'\(model)'"
        case .local: return "none recorded: the built-in offline extractor"
        }
    }

    /// The ids of `exchanges`, each once, in order.
    static func ids(_ exchanges: ArraySlice<Exchange>) -> [String] {
        var sources: [String] = []
        var seen = Set<String>()
        for exchange in exchanges where seen.insert(exchange.id).inserted { sources.append(exchange.id) }
        return sources
    }

    /// The built-in offline extractor over every exchange of `group` the gate passed: no
    /// budget, no `llm`, no network; `--max-ops` still holds, and what does not fit is
    /// carried to the next pass like a model's ops (`BatchCut`).
    private func local(_ group: ArraySlice<Exchange>, send: [Bool], profile: Profile) -> Delta {
        var localOptions = LocalExtractor.Options()
        localOptions.maxOps = Int.max  // the limit is applied below, where it can carry over
        localOptions.maxOpChars = options.parser.maxOpChars
        let sentIndices = group.indices.filter { send[$0] }
        let sent = sentIndices.map { group[$0] }
        let result = LocalExtractor(profile: profile.text, options: localOptions).extract(sent)
        result.notes.forEach(report)
        var number: [String: Int] = [:]
        for (i, exchange) in sent.enumerated() where number[exchange.id] == nil { number[exchange.id] = i + 1 }
        let maxOps = options.parser.maxOps
        let items = result.ops.enumerated().map { i, op in
            ReplyParser.Item(exchange: op.source.flatMap { number[$0] }, fate: i < maxOps ? .kept : .overLimit)
        }
        let cut = BatchCut(items: items, exchanges: sent.count, cutOff: false, maxOps: maxOps)
        let all = Array(group)
        let decided: Int
        if cut.decided == 0, !sent.isEmpty {
            report("exchange \(sent[0].id) alone states more than \(maxOps) facts: kept the \(maxOps) that fit; it is not read again")
            decided = 1
        } else {
            decided = cut.decided
        }
        return finish(group: all, sentIndices: sentIndices.map { $0 - group.startIndex }, consumed: all.count,
                      ops: Array(result.ops.prefix(maxOps)), items: items, decided: decided, cut: cut,
                      model: Proposer.localModel, guarded: nil)
    }

    /// One model call for `group` (exchanges of one route), within the budget.
    private func call(_ model: String, group: [Exchange], send: [Bool], profile: Profile, choice: ModelChoice,
                      alone: Bool = false) throws(MemError) -> Delta {
        let batch = UpdatePrompt.batch(group, send: send, limits: options.limits)
        if batch.consumed < group.count, !alone {
            let left = group.count - batch.consumed
            report("budget: sending \(batch.sent.count) exchange\(batch.sent.count == 1 ? "" : "s") (\(batch.sentChars) of \(options.limits.budgetChars) characters); the \(left) after them \(left == 1 ? "is" : "are") left for the next pass")
        }
        let prompt = UpdatePrompt(exchanges: batch.sent, profile: profile.text, limits: options.limits, today: options.today,
                                  consolidate: consolidation(profile), backfill: options.backfill)
        if prompt.redactions > 0 {
            report("redacted \(prompt.redactions) secret\(prompt.redactions == 1 ? "" : "s") from the text sent to the model")
        }

        let client = ModelClient(llm: options.llm, timeout: options.timeout, replyCap: options.parser.maxReplyBytes)
        let reply: ModelClient.Reply
        do throws(ModelClient.Failure) {
            reply = try client.prompt(model: model, system: prompt.system, prompt: prompt.user)
        } catch {
            throw Proposer.failure(error, choice: choice)
        }
        if reply.truncated {
            report("the model's reply was longer than \(options.parser.maxReplyBytes) bytes; only the first \(options.parser.maxReplyBytes) were read")
        }

        let parser = ReplyParser(exchangeIDs: prompt.numberedIDs, sections: prompt.sections, options: options.parser)
        let parsed = parser.parse(reply.text, capped: reply.truncated)
        parsed.notes.forEach(report)
        let sentCount = prompt.numberedIDs.count
        let cut = BatchCut(items: parsed.items, exchanges: sentCount, cutOff: parsed.cutOff, maxOps: options.parser.maxOps)
        var decided = cut.decided
        if decided == 0, sentCount > 0 {
            if sentCount > 1, let first = batch.sentIndices.first {
                // Not even the first exchange is whole: ask again with it alone.
                report("not one exchange's ops are all in the reply (\(cut.reason ?? "cut off")); asking again with exchange \(group[first].id) alone")
                return try call(model, group: Array(group[...first]), send: Array(send[...first]), profile: profile,
                                choice: choice, alone: true)
            }
            // One exchange whose ops alone do not fit: keep what fits, once.
            report("exchange \(prompt.numberedIDs[0]) alone has more ops than one reply holds (\(cut.reason ?? "cut off")): kept the \(parsed.ops.count) that fit; it is not asked again")
            decided = 1
        }
        var userWords: [String: String] = [:]
        for exchange in batch.sent { userWords[exchange.id] = exchange.prompt ?? "" }
        return finish(group: group, sentIndices: batch.sentIndices, consumed: batch.consumed, ops: parsed.ops,
                      items: parsed.items, decided: decided, cut: cut, model: reply.model,
                      guarded: ReplyGuard(profileBytes: profile.bytes, userWords: userWords))
    }

    /// The delta for exchanges 1…`decided` of those sent: `sources` and `through` stop
    /// before the first undecided one, and the ops of undecided exchanges are left out
    /// (they come again in the next pass); the guard checks what is left; each op gets
    /// its exchange's time.
    private func finish(group: [Exchange], sentIndices: [Int], consumed: Int, ops: [DeltaOp], items: [ReplyParser.Item],
                        decided: Int, cut: BatchCut, model: String, guarded: ReplyGuard?) -> Delta {
        var ops = ops
        var consumed = consumed
        if decided < sentIndices.count {
            consumed = sentIndices[decided]
            // The exchange of each kept op: its citation, else (in order) the one before's.
            var previous: Int?
            var keptExchange: [Int] = []
            for item in items {
                let lowest = item.exchange ?? previous ?? 1
                previous = item.exchange ?? previous
                if item.fate == .kept { keptExchange.append(lowest) }
            }
            ops = zip(ops, keptExchange).filter { $0.1 <= decided }.map(\.0)
            let left = sentIndices.count - decided
            report("carried over: the \(left) exchange\(left == 1 ? "" : "s") from \(group[consumed].id) on \(left == 1 ? "is" : "are") proposed again in the next pass, not marked as read: \(cut.reason ?? "their ops did not all fit")")
        }
        if let guarded {
            let checked = guarded.check(ops)
            checked.notes.forEach(report)
            ops = checked.ops
        }
        var times: [String: String] = [:]
        for exchange in group[..<consumed] {
            if let datetime = exchange.datetime { times[exchange.id] = datetime }
        }
        for i in ops.indices {
            if let source = ops[i].source { ops[i].sourceTime = times[source] }
        }
        let taken = group[..<consumed]
        return Delta(ops: ops, sources: Proposer.ids(taken), through: taken.last?.cursor, model: model)
    }

    /// A failed call as the error the stage exits with: a model that cannot be used is 69
    /// with the fix (`ModelChoice.unusable`); there is no fallback to another model.
    static func failure(_ failure: ModelClient.Failure, choice: ModelChoice) -> MemError {
        switch failure {
        case let .modelUnusable(model, detail):
            return MemError(.unavailable, choice.unusable(model: model, detail: detail, keyRefused: false))
        case let .keyRejected(model, detail):
            return MemError(.unavailable, choice.unusable(model: model, detail: detail, keyRefused: true))
        case let .llmUnavailable(message): return MemError(.unavailable, message)
        case let .temporary(message): return MemError(.tempFailure, message)
        }
    }
}
