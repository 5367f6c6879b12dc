import Testing
@testable import MemKit

/// How a failed `llm prompt` is sorted: what llm 0.36 prints on stderr when a model's
/// client raises (`Error: <the exception's text>`, exit 1), as the providers word it.
@Suite struct ModelClientTests {
    static func failure(_ stderr: String, status: Int32? = 1, signal: Int32? = nil, timedOut: Bool = false) -> ModelClient.Failure {
        let output = ChildProcess.Output(exitStatus: status, signal: signal, stdout: [], stderr: Array(stderr.utf8),
                                         stdoutTruncated: false, stderrTruncated: false, timedOut: timedOut)
        return ModelClient.classify(output, model: "gpt-4o-mini", timeout: 120)
    }

    static func isKeyRejected(_ failure: ModelClient.Failure) -> Bool {
        if case .keyRejected(model: "gpt-4o-mini", _) = failure { return true }
        return false
    }

    static func isTemporary(_ failure: ModelClient.Failure) -> Bool {
        if case .temporary = failure { return true }
        return false
    }

    static let refusedKeys = [
        // openai.AuthenticationError, as llm prints it
        "Error: Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-Qw12Er34Ty56Ui78Op90As12Df34Gh56. You can find your API key at https://platform.openai.com/account/api-keys.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}",
        // openai.PermissionDeniedError (a key without access to the model or project)
        "Error: Error code: 403 - {'error': {'message': 'Project `proj_abc` does not have access to model `gpt-4o`', 'type': 'invalid_request_error', 'param': None, 'code': 'model_not_found'}}",
        // anthropic.AuthenticationError (llm-anthropic)
        "Error: Error code: 401 - {'type': 'error', 'error': {'type': 'authentication_error', 'message': 'invalid x-api-key'}, 'request_id': 'req_011'}",
        "Error: Error code: 403 - {'type': 'error', 'error': {'type': 'permission_error', 'message': 'Your API key does not have permission to use the specified resource.'}}",
        // Gemini and others
        "Error: {'error': {'code': 400, 'message': 'API key not valid. Please pass a valid API key.', 'status': 'INVALID_ARGUMENT'}}",
        "Error: {'code': 403, 'message': 'Permission denied on resource project', 'status': 'PERMISSION_DENIED'}",
        "Error: 401 Unauthorized",
        "Traceback (most recent call last):\n  File \"x.py\", line 1\nopenai.AuthenticationError: Error code: 401 - {'error': {'code': 'invalid_api_key'}}",
    ]

    @Test(arguments: refusedKeys)
    func aKeyTheProviderRefusesMeansTheModelCannotBeUsedNotTryAgainLater(stderr: String) {
        let failure = Self.failure(stderr)
        #expect(Self.isKeyRejected(failure), "\(failure)")
    }

    @Test func theRefusedKeysDetailIsRedacted() {
        guard case let .keyRejected(_, detail) = Self.failure(Self.refusedKeys[0]) else {
            Issue.record("not a refused key")
            return
        }
        #expect(detail.contains("Error code: 401"))
        #expect(!detail.contains("Qw12Er34Ty56Ui78Op90As12Df34Gh56"), "\(detail)")
    }

    static let temporaryFailures = [
        "Error: Connection error.",
        "Error: Request timed out.",
        "Error: Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o-mini', 'type': 'requests', 'code': 'rate_limit_exceeded'}}",
        "Error: Error code: 500 - {'error': {'message': 'The server had an error while processing your request.', 'type': 'server_error'}}",
        "Error: Error code: 503 - {'error': {'message': 'The engine is currently overloaded, please try again later'}}",
        "Error: Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}",
        "Error: Error code: 502 - <html>Bad gateway: upstream authentication proxy failed</html>",
        // a local file llm cannot read is not the provider refusing a key
        "Error: [Errno 13] Permission denied: '/home/u/.config/io.datasette.llm/keys.json'",
    ]

    @Test(arguments: temporaryFailures)
    func networkErrorsTimeoutsRateLimitsAndServerErrorsStayTemporary(stderr: String) {
        let failure = Self.failure(stderr)
        #expect(Self.isTemporary(failure), "\(failure)")
    }

    @Test func aTimeoutOrASignalIsTemporaryWhateverStderrSays() {
        #expect(Self.isTemporary(Self.failure("Error: Error code: 401 - invalid_api_key", status: nil, timedOut: true)))
        #expect(Self.isTemporary(Self.failure("Error: Error code: 401 - invalid_api_key", status: nil, signal: 15)))
    }

    @Test func anUnknownModelOrAMissingKeyIsStillUnusableRatherThanRefused() {
        #expect(Self.failure("Error: 'Unknown model: gpt-9'") == .modelUnusable(model: "gpt-4o-mini", detail: "Error: 'Unknown model: gpt-9'"))
        let noKey = "Error: No key found - add one using 'llm keys set openai' or set the OPENAI_API_KEY environment variable"
        #expect(Self.failure(noKey) == .modelUnusable(model: "gpt-4o-mini", detail: noKey))
    }

    @Test func aModelThatCannotBeUsedIsExit69WithOneLineNamingItAndTheFixAndNoFallback() {
        let none = ModelChoice(memoryModel: nil, origin: nil)
        let noKey = "Error: No key found - add one using 'llm keys set openai' or set the OPENAI_API_KEY environment variable"
        let missing = Proposer.failure(.modelUnusable(model: "gpt-4o-mini", detail: noKey), choice: none)
        #expect(missing.status == .unavailable)
        #expect(missing.message == "model 'gpt-4o-mini' cannot be used (\(noKey)); the exchanges held with it wait: set its key with `llm keys set openai`, or choose a memory model with `llm memory model ID`")
        let gone = Proposer.failure(.modelUnusable(model: "mymodel", detail: "Error: 'Unknown model: mymodel'"), choice: none)
        #expect(gone.message.hasSuffix("install or set up that model in llm, or choose a memory model with `llm memory model ID`"))
        let refused = Proposer.failure(.keyRejected(model: "gpt-4o-mini", detail: "Error: Error code: 401"), choice: none)
        #expect(refused.status == .unavailable)
        #expect(refused.message.contains("(its API key was refused: Error: Error code: 401)"))
        #expect(refused.message.contains("set a valid key with `llm keys set <provider>`"))
        for message in [missing.message, gone.message, refused.message] { #expect(!message.contains("\n")) }
        // Not a model problem: no advice, the right status.
        let temporary = Proposer.failure(.temporary("network down"), choice: none)
        #expect(temporary.status == .tempFailure && temporary.message == "network down")
        #expect(Proposer.failure(.llmUnavailable("no llm"), choice: none).status == .unavailable)
    }

    @Test func aChosenMemoryModelThatCannotBeUsedSaysWhereTheChoiceCameFrom() {
        let detail = "Error: 'Unknown model: nosuchmodel'"
        func message(_ origin: ModelChoice.Origin) -> String {
            ModelChoice(memoryModel: "nosuchmodel", origin: origin).unusable(model: "nosuchmodel", detail: detail, keyRefused: false)
        }
        #expect(message(.option).contains("(--model)"))
        #expect(message(.environment).contains("set LLM_MEMORY_MODEL to another model id, or unset it"))
        #expect(message(.file("/m/model")).contains("memory model 'nosuchmodel' cannot be used"))
        #expect(message(.file("/m/model")).contains("`llm memory model --unset`"))
    }
}
