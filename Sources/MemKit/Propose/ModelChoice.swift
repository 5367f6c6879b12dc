/// Where a conversation may go (contract C4, issue 15 §1): only back to the model it was
/// held with, or to the memory model the user chose — never anywhere else.
///
/// The memory model is `--model`, else `LLM_MEMORY_MODEL`, else the file `model` in the
/// memory dir (one line, written by `llm memory model ID`, removed by `--unset`), else
/// none. With one chosen, every exchange goes to it (`local`: the built-in offline
/// extractor, nothing sent). With none:
/// - each exchange goes only to the model it was held with (`Exchange.model`), and one
///   model call never mixes exchanges of different models: a batch is cut at the first
///   exchange to send whose model differs from the first one's;
/// - an exchange with no model recorded (llm always records one; only a hand-made or
///   damaged log lacks it) goes to the built-in offline extractor: it is never sent
///   anywhere, and what it states plainly is still learned;
/// - there is no fallback: a model that cannot be used stops the update (exit 69) with
///   its exchanges waiting, and the message says how to fix it (`unusable`).
public struct ModelChoice: Sendable, Equatable {
    /// Where the memory model came from, for messages.
    public enum Origin: Sendable, Equatable {
        case option, environment, file(String)
    }

    /// Where one exchange goes.
    public enum Route: Sendable, Equatable, Hashable {
        /// Through `llm prompt -m ID`.
        case model(String)
        /// The built-in offline extractor.
        case local
    }

    /// The memory model the user chose, or nil: each exchange goes to its own model.
    public var memoryModel: String?
    public var origin: Origin?

    public init(memoryModel: String?, origin: Origin?) {
        self.memoryModel = memoryModel
        self.origin = origin
    }

    /// The memory model file: `<memory dir>/model`.
    public static func file(memoryDir: String) -> String { memoryDir + "/model" }

    /// `--model`, else `LLM_MEMORY_MODEL`, else the memory model file, else none. A file
    /// that is not one line of text (a model id) is a data error (65), so a broken choice
    /// never silently turns into "each exchange to its own model".
    public static func resolve(option: String?, memoryDir: String) throws(MemError) -> ModelChoice {
        if let option = option?.trimmingWhitespace(), !option.isEmpty { return ModelChoice(memoryModel: option, origin: .option) }
        if let env = Environment.value("LLM_MEMORY_MODEL")?.trimmingWhitespace(), !env.isEmpty {
            return ModelChoice(memoryModel: env, origin: .environment)
        }
        let path = file(memoryDir: memoryDir)
        let malformed = MemError(.dataError, "\(path) should hold one model id on one line; set it again with `llm memory model ID` (or remove it with `llm memory model --unset`)")
        let read: [UInt8]?
        do throws(MemError) {
            read = try FileSystem.readIfPresent(path, limit: 4096)
        } catch {
            throw error.status == .dataError ? malformed : error
        }
        guard let bytes = read else { return ModelChoice(memoryModel: nil, origin: nil) }
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard let id = lines.first else { return ModelChoice(memoryModel: nil, origin: nil) }
        guard lines.count == 1, !id.unicodeScalars.contains(where: { $0 == "\u{FFFD}" || $0.value < 0x20 }) else { throw malformed }
        return ModelChoice(memoryModel: id, origin: .file(path))
    }

    /// The built-in offline extractor was chosen for everything.
    public var isLocal: Bool { memoryModel?.lowercased() == Proposer.localModel }

    public func route(_ exchange: Exchange) -> Route {
        if let memoryModel { return memoryModel.lowercased() == Proposer.localModel ? .local : .model(memoryModel) }
        guard let model = exchange.model?.trimmingWhitespace(), !model.isEmpty else { return .local }
        return .model(model)
    }

    /// How many of `exchanges`, from the first, one call may take: up to (not including)
    /// the first exchange to send (`send[i]`) whose route differs from the first such
    /// exchange's. Exchanges not sent go anywhere: they are only read.
    public func sameRoutePrefix(_ exchanges: ArraySlice<Exchange>, send: [Bool]) -> (count: Int, route: Route?) {
        var route: Route?
        for i in exchanges.indices where send[i] {
            let this = self.route(exchanges[i])
            if let route, route != this { return (i - exchanges.startIndex, route) }
            route = this
        }
        return (exchanges.count, route)
    }

    /// The one-line message for a model that cannot be used: which, why, its exchanges
    /// wait, and how to fix it — a key for its provider, or a memory model.
    public func unusable(model: String, detail: String, keyRefused: Bool) -> String {
        let why = keyRefused ? "its API key was refused: \(detail)" : detail
        let provider = ModelChoice.keyProvider(in: detail)
        let key = provider.map { "set its key with `llm keys set \($0)`" }
            ?? (keyRefused ? "set a valid key with `llm keys set <provider>` (`llm keys list` shows the names)" : nil)
        switch origin {
        case nil:
            let fix = (key.map { $0 + ", or " } ?? "install or set up that model in llm, or ") + "choose a memory model with `llm memory model ID`"
            return "model '\(model)' cannot be used (\(why)); the exchanges held with it wait: \(fix)"
        case .option?:
            return "model '\(model)' (--model) cannot be used (\(why)); nothing was sent: " + (key.map { $0 + ", or " } ?? "") + "choose another with --model"
        case .environment?:
            return "model '\(model)' (LLM_MEMORY_MODEL) cannot be used (\(why)); updates wait: " + (key.map { $0 + ", or " } ?? "") + "set LLM_MEMORY_MODEL to another model id, or unset it"
        case .file?:
            return "memory model '\(model)' cannot be used (\(why)); updates wait: " + (key.map { $0 + ", or " } ?? "") + "choose another with `llm memory model ID` (or `llm memory model --unset`: each exchange to its own model)"
        }
    }

    /// The provider name in llm's "No key found - add one using 'llm keys set openai' …".
    static func keyProvider(in detail: String) -> String? {
        let marker = "llm keys set "
        var rest = Substring(detail)
        while !rest.isEmpty, !rest.hasPrefix(marker) { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        let name = rest.dropFirst(marker.count).prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        return name.isEmpty ? nil : String(name)
    }
}
