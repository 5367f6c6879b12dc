/// mem-propose's work: exchanges in, one delta out (DESIGN.md, "mem-propose").
///
/// 1. Reads the exchanges (JSON Lines; a malformed line is a data error, exit 65).
///    None → a delta with no ops and no model call.
/// 2. Reads the profile (missing = empty) and builds the prompt (`UpdatePrompt`). When no
///    exchange has user text (only tool-result follow-ups), there is nothing to ask: a
///    delta with no ops, its `sources` and `through`, no model call.
/// 3. Picks the model: `--model`, else `LLM_MEMORY_MODEL`, else the model of the last
///    exchange that names one, else llm's default (`llm models default`).
/// 4. Calls it once through `llm` (`ModelClient`). If the model cannot be used at all,
///    falls back once to llm's default model (unless that is the same model); if that
///    cannot be used either → exit 69 naming both. llm missing → 69. Anything temporary
///    (timeout, network, rate limit, other errors) → exit 75, nothing on stdout.
/// 5. Parses the reply (`ReplyParser`) and returns the delta: the kept ops, `sources` =
///    every exchange id read, `through` = the last exchange's cursor, `model` = the model
///    that answered.
public struct Proposer {
    public struct Options {
        public var profilePath: String
        /// `--model`; nil → `LLM_MEMORY_MODEL`, the exchanges' model, llm's default.
        public var model: String?
        /// The `llm` executable (path or name on PATH).
        public var llm: String
        public var timeout: Double = 120
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

    public func propose(_ exchanges: [Exchange]) throws(MemError) -> Delta {
        guard let last = exchanges.last else { return Delta(ops: []) }
        var sources: [String] = []
        var seen = Set<String>()
        for exchange in exchanges where seen.insert(exchange.id).inserted { sources.append(exchange.id) }

        let profileBytes = try FileSystem.readIfPresent(options.profilePath) ?? []
        let prompt = UpdatePrompt(exchanges: exchanges, profile: String(decoding: profileBytes, as: UTF8.self),
                                  limits: options.limits)
        if prompt.numberedIDs.isEmpty {
            report("no exchange in this batch has user text (tool-result follow-ups only); nothing to ask the model")
            return Delta(ops: [], sources: sources, through: last.cursor, model: nil)
        }
        if prompt.redactions > 0 {
            report("redacted \(prompt.redactions) secret\(prompt.redactions == 1 ? "" : "s") from the text sent to the model")
        }

        let client = ModelClient(llm: options.llm, timeout: options.timeout, replyCap: options.parser.maxReplyBytes)
        let reply = try ask(client, prompt: prompt, exchanges: exchanges)
        if reply.truncated {
            report("the model's reply was longer than \(options.parser.maxReplyBytes) bytes; only the first \(options.parser.maxReplyBytes) were read")
        }

        let parser = ReplyParser(exchangeIDs: prompt.numberedIDs, sections: prompt.sections, options: options.parser)
        let parsed = parser.parse(reply.text)
        parsed.notes.forEach(report)
        return Delta(ops: parsed.ops, sources: sources, through: last.cursor, model: reply.model)
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
            guard case let .modelUnusable(_, detail) = error else { throw mapped(error) }
            guard let fallback = try llmDefault(), fallback != model else {
                throw MemError(.unavailable, "model '\(model)' cannot be used (\(detail)), and llm has no other default model to fall back to")
            }
            report("model '\(model)' cannot be used (\(detail)); falling back to llm's default model '\(fallback)'")
            do throws(ModelClient.Failure) {
                return try client.prompt(model: fallback, system: prompt.system, prompt: prompt.user)
            } catch {
                if case let .modelUnusable(_, fallbackDetail) = error {
                    throw MemError(.unavailable, "neither model '\(model)' (\(detail)) nor llm's default model '\(fallback)' (\(fallbackDetail)) can be used; set one up with `llm keys set …` or choose another with --model / LLM_MEMORY_MODEL")
                }
                throw mapped(error)
            }
        }
    }

    private func mapped(_ failure: ModelClient.Failure) -> MemError {
        switch failure {
        case let .modelUnusable(model, detail): return MemError(.unavailable, "model '\(model)' cannot be used: \(detail)")
        case let .llmUnavailable(message): return MemError(.unavailable, message)
        case let .temporary(message): return MemError(.tempFailure, message)
        }
    }
}
