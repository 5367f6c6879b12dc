/// mem-propose's work: exchanges in, one delta out (DESIGN.md, "mem-propose").
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
/// 3. The `local` model (`--model local` or `LLM_MEMORY_MODEL=local`): `LocalExtractor`
///    reads every exchange the gate passed — no budget, no `llm`, no network — and the
///    delta's `model` is "local".
/// 4. Otherwise the budget (`UpdatePrompt.batch`, `limits.budgetChars`): exchanges are
///    taken in order while their trimmed text fits; the first always fits; the batch stops
///    at the first that does not. `sources` are the ids consumed (gate-dropped ones
///    included) and `through` the cursor of the last one consumed; the rest is left for the
///    next pass (the porcelain loops until nothing is new). Said on stderr when it stops
///    early.
/// 5. Picks the model: `--model`, else `LLM_MEMORY_MODEL`, else the model of the last
///    consumed exchange that names one, else llm's default (`llm models default`).
/// 6. Calls it once through `llm` (`ModelClient`) with the prompt of the exchanges sent
///    (`UpdatePrompt`). If the model cannot be used at all, falls back once to llm's
///    default model (unless that is the same model); if that cannot be used either → exit
///    69 naming both. llm missing → 69. Anything temporary (timeout, network, rate limit,
///    other errors) → exit 75, nothing on stdout.
/// 7. Parses the reply (`ReplyParser`), drops ops that read like instructions and refuses
///    a reply that would take away too much of the profile (`ReplyGuard`), and returns the
///    delta: the kept ops, `sources`, `through`, `model` = the model that answered.
public struct Proposer {
    /// The model name that selects the built-in offline extractor.
    public static let localModel = "local"

    public struct Options {
        public var profilePath: String
        /// `--model`; nil → `LLM_MEMORY_MODEL`, the exchanges' model, llm's default.
        public var model: String?
        /// The `llm` executable (path or name on PATH).
        public var llm: String
        public var timeout: Double = 120
        /// Whether exchanges pass the `Gate` before anything is sent (`--no-gate` turns it off).
        public var gate = true
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
        func ids(_ exchanges: ArraySlice<Exchange>) -> [String] {
            var sources: [String] = []
            var seen = Set<String>()
            for exchange in exchanges where seen.insert(exchange.id).inserted { sources.append(exchange.id) }
            return sources
        }

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
        let profile = String(decoding: profileBytes, as: UTF8.self)

        if isLocal {
            var localOptions = LocalExtractor.Options()
            localOptions.maxOps = options.parser.maxOps
            localOptions.maxOpChars = options.parser.maxOpChars
            let extractor = LocalExtractor(profile: profile, options: localOptions)
            let result = extractor.extract(exchanges.indices.filter { send[$0] }.map { exchanges[$0] })
            result.notes.forEach(report)
            return Delta(ops: result.ops, sources: ids(exchanges[...]), through: last.cursor, model: Proposer.localModel)
        }
        if passing == 0 {
            return Delta(ops: [], sources: ids(exchanges[...]), through: last.cursor, model: nil)
        }

        let batch = UpdatePrompt.batch(exchanges, send: send, limits: options.limits)
        let consumed = exchanges[..<batch.consumed]
        if batch.consumed < exchanges.count {
            let left = exchanges.count - batch.consumed
            report("budget: sending \(batch.sent.count) exchange\(batch.sent.count == 1 ? "" : "s") (\(batch.sentChars) of \(options.limits.budgetChars) characters); the \(left) after them \(left == 1 ? "is" : "are") left for the next pass")
        }
        let prompt = UpdatePrompt(exchanges: batch.sent, profile: profile, limits: options.limits)
        if prompt.redactions > 0 {
            report("redacted \(prompt.redactions) secret\(prompt.redactions == 1 ? "" : "s") from the text sent to the model")
        }

        let client = ModelClient(llm: options.llm, timeout: options.timeout, replyCap: options.parser.maxReplyBytes)
        let reply = try ask(client, prompt: prompt, exchanges: Array(consumed))
        if reply.truncated {
            report("the model's reply was longer than \(options.parser.maxReplyBytes) bytes; only the first \(options.parser.maxReplyBytes) were read")
        }

        let parser = ReplyParser(exchangeIDs: prompt.numberedIDs, sections: prompt.sections, options: options.parser)
        let parsed = parser.parse(reply.text)
        parsed.notes.forEach(report)
        // No instructions stored as facts, no wiping the profile in one reply (ReplyGuard).
        let guarded = ReplyGuard(profileBytes: profileBytes).check(parsed.ops)
        guarded.notes.forEach(report)
        return Delta(ops: guarded.ops, sources: ids(consumed), through: consumed.last?.cursor ?? last.cursor, model: reply.model)
    }

    /// Whether the model asked for (`--model`, else `LLM_MEMORY_MODEL`) is the built-in `local`.
    public var isLocal: Bool {
        let asked = (options.model.flatMap { $0.isEmpty ? nil : $0 }) ?? Environment.value("LLM_MEMORY_MODEL")
        return asked?.trimmingWhitespace().lowercased() == Proposer.localModel
    }

    /// The model the caller asked for, or the one the exchanges used; nil → llm's default.
    func preferredModel(_ exchanges: [Exchange]) -> String? {
        if let model = options.model, !model.isEmpty { return model }
        if let model = Environment.value("LLM_MEMORY_MODEL") { return model }
        return exchanges.last(where: { !($0.model ?? "").isEmpty })?.model
    }

    private func ask(_ client: ModelClient, prompt: UpdatePrompt, exchanges: [Exchange]) throws(MemError) -> ModelClient.Reply {
        var fallbackChecked = false
        var defaultModel: String?
        func llmDefault() throws(MemError) -> String? {
            if !fallbackChecked {
                fallbackChecked = true
                do throws(ModelClient.Failure) { defaultModel = try client.defaultModel() } catch { throw mapped(error) }
            }
            return defaultModel
        }

        var chosen = preferredModel(exchanges)
        if chosen == nil { chosen = try llmDefault() }
        guard let model = chosen else {
            throw MemError(.unavailable, "no model to use: none was given, the exchanges name none, and `\(client.llm) models default` gave none")
        }
        do throws(ModelClient.Failure) {
            return try client.prompt(model: model, system: prompt.system, prompt: prompt.user)
        } catch {
            // A model llm cannot use, or whose key the provider refused: llm's default
            // model, once (another provider's, or a local one, may work).
            guard let detail = Proposer.whyUnusable(error) else { throw mapped(error) }
            guard let fallback = try llmDefault(), fallback != model else {
                throw MemError(.unavailable, "model '\(model)' cannot be used (\(detail)), and llm has no other default model to fall back to"
                                   + (Proposer.keyAdvice(error).map { "; \($0)" } ?? ""))
            }
            report("model '\(model)' cannot be used (\(detail)); falling back to llm's default model '\(fallback)'")
            do throws(ModelClient.Failure) {
                return try client.prompt(model: fallback, system: prompt.system, prompt: prompt.user)
            } catch {
                if let fallbackDetail = Proposer.whyUnusable(error) {
                    throw MemError(.unavailable, "neither model '\(model)' (\(detail)) nor llm's default model '\(fallback)' (\(fallbackDetail)) can be used; set one up with `llm keys set …` or choose another with --model / LLM_MEMORY_MODEL")
                }
                throw mapped(error)
            }
        }
    }

    /// Why a model cannot be used at all, for messages; nil for other failures.
    static func whyUnusable(_ failure: ModelClient.Failure) -> String? {
        switch failure {
        case let .modelUnusable(_, detail): return detail
        case let .keyRejected(_, detail): return "its API key was refused: \(detail)"
        case .llmUnavailable, .temporary: return nil
        }
    }

    /// What to do about a refused key.
    static func keyAdvice(_ failure: ModelClient.Failure) -> String? {
        guard case .keyRejected = failure else { return nil }
        return "set a valid key with `llm keys set <provider>` (e.g. `llm keys set openai`; `llm keys list` shows the names) or choose another model with --model / LLM_MEMORY_MODEL"
    }

    private func mapped(_ failure: ModelClient.Failure) -> MemError {
        switch failure {
        case let .modelUnusable(model, detail): return MemError(.unavailable, "model '\(model)' cannot be used: \(detail)")
        case let .keyRejected(model, detail):
            return MemError(.unavailable, "model '\(model)' cannot be used: its API key was refused (\(detail)); \(Proposer.keyAdvice(failure) ?? "")")
        case let .llmUnavailable(message): return MemError(.unavailable, message)
        case let .temporary(message): return MemError(.tempFailure, message)
        }
    }
}
