/// Calls a model through the user's own `llm` CLI, so every model, key and plugin they
/// set up works:
///
///     llm prompt -m MODEL --no-log -s SYSTEM      (the user prompt on stdin)
///
/// - The child's stdin is always given explicitly (llm reads stdin whenever it is not a
///   terminal); `--no-log` keeps these calls out of `logs.db`.
/// - The child gets `LLM_MEMORY_DISABLED=true`, so a wrapper or plugin of the memory tool
///   that it might run can never inject memory or start another update.
/// - Failures are sorted (`classify`): "cannot be used at all" (llm 0.36 says
///   `Error: 'Unknown model: X'` or `Error: No key found - add one using 'llm keys set X'
///   …`, or another "needs an API key" text), a key the provider refused (HTTP 401/403:
///   OpenAI's `Error code: 401 - {… 'code': 'invalid_api_key'}`, Anthropic's
///   `authentication_error` / `invalid x-api-key`, "Unauthorized", "Permission denied"),
///   a usage error (exit 2, e.g. an llm too old for `--no-log`), a missing or broken llm
///   (exit 126/127), and everything else — timeouts, signals, network errors, rate limits
///   (429), server errors (5xx), any other nonzero exit — which is temporary.
public struct ModelClient: Sendable {
    /// The `llm` executable (a path or a name looked up on PATH).
    public var llm: String
    /// Seconds a model call may take (default 120).
    public var timeout: Double
    /// Bytes of the reply kept (default 1 MB).
    public var replyCap: Int

    public init(llm: String, timeout: Double = 120, replyCap: Int = 1 << 20) {
        self.llm = llm
        self.timeout = timeout
        self.replyCap = replyCap
    }

    /// Which `llm` to run: `--llm PATH`, else `LLM_MEMORY_LLM`, else `llm` on PATH.
    public static func executable(option: String?) -> String {
        option ?? Environment.value("LLM_MEMORY_LLM") ?? "llm"
    }

    public struct Reply: Sendable {
        public var text: [UInt8]
        public var truncated: Bool
        public var model: String
    }

    /// Why a call failed.
    public enum Failure: Error, Sendable, Equatable {
        /// The model cannot be used at all (unknown to llm — a plugin gone —, no key):
        /// its exchanges wait until the user fixes it (there is no fallback).
        case modelUnusable(model: String, detail: String)
        /// The provider refused the model's API key (wrong, revoked, or without access,
        /// HTTP 401/403): retrying will not help until the user sets another key.
        case keyRejected(model: String, detail: String)
        /// llm itself cannot be run or rejected our command line: stop (exit 69).
        case llmUnavailable(String)
        /// Try again later (exit 75).
        case temporary(String)
    }

    static let environment: [String: String?] = ["LLM_MEMORY_DISABLED": "true"]

    /// One model call; never retried here.
    public func prompt(model: String, system: String, prompt: String) throws(Failure) -> Reply {
        let child = ChildProcess(executable: llm, arguments: ["prompt", "-m", model, "--no-log", "-s", system],
                                 environment: ModelClient.environment, stdin: Array(prompt.utf8),
                                 timeout: timeout, outputCap: replyCap)
        let output: ChildProcess.Output
        do {
            output = try child.run()
        } catch {
            throw .llmUnavailable(ModelClient.describe(error))
        }
        if output.succeeded {
            return Reply(text: output.stdout, truncated: output.stdoutTruncated, model: model)
        }
        throw ModelClient.classify(output, model: model, timeout: timeout)
    }

    static func describe(_ error: ChildProcess.Failure) -> String {
        switch error {
        case let .notFound(message): return "cannot run llm: \(message)"
        case let .cannotRun(message): return message
        }
    }

    /// Texts with which llm 0.36 (and its plugins, by convention) says a model cannot be
    /// used at all, compared in lower case.
    static let unusableMarkers = [
        "unknown model", "no key found", "needs an api key", "needskeyexception", "no model found matching",
    ]

    /// Texts with which a provider's client says it refused the API key (HTTP 401 or 403),
    /// as llm prints the exception (`Error: <message>`), compared in lower case. A text
    /// of `temporaryMarkers` wins over these.
    static let keyRejectedMarkers = [
        "error code: 401", "error code: 403", "status code 401", "status code 403", "http 401", "http 403",
        "401 unauthorized", "403 forbidden", "unauthorized", "unauthenticated",
        "invalid_api_key", "incorrect api key", "invalid api key", "api key not valid", "invalid x-api-key",
        "authentication_error", "authenticationerror", "authentication failed", "authentication error",
        "permission_denied", "permissiondeniederror", "permission denied",
    ]

    /// Texts that mean "try again later" even beside one of `keyRejectedMarkers`: rate
    /// limits, overloaded or failing servers, the network.
    static let temporaryMarkers = [
        "error code: 429", "error code: 500", "error code: 502", "error code: 503", "error code: 504", "error code: 529",
        "rate limit", "rate_limit", "ratelimit", "overloaded", "timed out", "timeout", "connection error",
        "temporarily", "try again",
    ]

    static func classify(_ output: ChildProcess.Output, model: String, timeout: Double) -> Failure {
        let detail = errorDetail(output.stderr)
        if output.timedOut {
            return .temporary("llm did not answer within \(formatSeconds(timeout)) (model \(model)); stopped it")
        }
        if let signal = output.signal {
            return .temporary("llm was ended by signal \(signal) (model \(model))\(detail.isEmpty ? "" : ": \(detail)")")
        }
        let status = output.exitStatus ?? 1
        if status == 126 || status == 127 {
            return .llmUnavailable("llm could not start (exit \(status))\(detail.isEmpty ? "" : ": \(detail)")")
        }
        if status == 2 {
            return .llmUnavailable("llm rejected the command line (exit 2)\(detail.isEmpty ? "" : ": \(detail)")")
        }
        let lower = detail.lowercased()
        if unusableMarkers.contains(where: { lower.contains($0) }) {
            return .modelUnusable(model: model, detail: detail)
        }
        if keyRejectedMarkers.contains(where: { lower.contains($0) }),
           !temporaryMarkers.contains(where: { lower.contains($0) }),
           !lower.contains("[errno") {  // a local file's "Permission denied" is not the provider's
            return .keyRejected(model: model, detail: detail)
        }
        return .temporary("llm failed (exit \(status), model \(model))\(detail.isEmpty ? "" : ": \(detail)")")
    }

    /// The last few non-empty lines of llm's stderr (a traceback ends with the error),
    /// redacted and shortened, joined by " | ".
    static func errorDetail(_ stderr: [UInt8]) -> String {
        let text = Redactor.redact(String(decoding: stderr, as: UTF8.self))
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty }
        return lines.suffix(3).map { line in
            line.unicodeScalars.count > 300 ? String(String.UnicodeScalarView(line.unicodeScalars.prefix(300))) + "…" : line
        }.joined(separator: " | ")
    }

    static func formatSeconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }
}
