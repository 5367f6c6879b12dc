import ArgumentParser
import MemCLI
import MemKit

@main
struct MemProposeCommand: StageCommand {
    static let configuration = CommandConfiguration(
        commandName: "mem-propose",
        abstract: "Ask a model which profile changes a batch of exchanges calls for; print them as a delta.",
        discussion: """
            Reads exchanges (JSON Lines, as mem-extract prints them) on standard input and the \
            current profile (--profile; a missing profile is empty), asks a model through the \
            `llm` CLI what to change, and prints one delta (JSON) on standard output:
              {"ops": [{"op": "add"|"replace"|"remove", "section": …, "text": …, "old": …, "source": <exchange id>,
                        "source_time": <its datetime>}], "sources": [the exchange ids read], "through": <cursor of the last one read>, "model": <model used>}
            No exchanges in → a delta with no ops and no model call. Secrets are redacted \
            before anything is sent; the call is `llm prompt -m MODEL --no-log -s …` (never \
            logged), run with LLM_MEMORY_DISABLED=true. The model's reply is untrusted: only \
            well-formed ops are kept, and what was dropped is said on standard error.

            Gate: exchanges whose typed prompt shows no sign of saying something about you \
            (no I/me/my outside task phrases such as "how do I", no "remember"/"forget", no \
            "always …"/"from now on") are not sent, but count as read: they are in "sources" \
            and "through" moves past them. If none is left, no model call. --no-gate sends \
            every exchange with typed text.

            Budget: one model call takes exchanges in order while their text (each prompt \
            trimmed to 4000 characters, each reply to 400) fits the budget (--budget, else \
            LLM_MEMORY_BUDGET, else 12000 characters); the first always fits. "sources" and \
            "through" cover the exchanges taken (and gate-dropped ones before the first that \
            did not fit); the rest is left for the next run (llm-memory update loops until \
            nothing is new). No fact is dropped for lack of room: when ops do not all fit \
            (--max-ops, a reply cut off), "through" stops before the first exchange whose ops \
            were not all kept and the rest is proposed again. The request holds today's date \
            and each exchange's; each op carries "source_time", its exchange's datetime.

            Model: --model, else LLM_MEMORY_MODEL, else the memory dir's "model" file (llm \
            memory model ID), else none: then each exchange goes only to the model it was held \
            with, and one call never mixes models (the batch stops before the first exchange of \
            another model). There is no fallback: a model llm cannot use (unknown, no key, key \
            refused) exits 69 naming it and the fix, and its exchanges wait. Exchanges with no \
            model recorded go to "local". The model "local" is the built-in offline extractor: a fixed \
            set of English patterns for what you state about yourself ("I'm a Rust \
            developer", "I live in Lisbon", "I prefer short answers", "remember that …", \
            "forget that …"), with no model call and no network; it reads every exchange the \
            gate passes (no budget) and the delta's "model" is "local".
            llm: --llm, else LLM_MEMORY_LLM, else `llm` on PATH.

            Exit status: 0 ok, 64 usage, 65 bad exchanges on stdin or a profile that is not \
            UTF-8 text (or over 1 MiB; checked before any model call), 66/74 profile unreadable, \
            69 llm or a usable model missing, 75 temporary failure (timeout, network, rate \
            limit — try again later; nothing is printed).
            """,
        version: Version.string)

    @OptionGroup var profile: ProfileOption

    @Option(help: ArgumentHelp("The model to ask (default: LLM_MEMORY_MODEL, else the memory dir's model file, else each exchange's own model); \"local\": the built-in offline extractor.",
                               valueName: "id"))
    var model: String?

    @Option(help: ArgumentHelp("Characters of exchange text one model call takes (default: LLM_MEMORY_BUDGET, else 12000); the rest is left for the next run.",
                               valueName: "chars"))
    var budget: Int?

    @Flag(help: "Send every exchange with typed text, without the gate.")
    var noGate = false

    @Flag(help: "The exchanges are from before memory started (llm memory backfill): the model is told they are older than the profile.")
    var backfill = false

    @Option(help: ArgumentHelp("The llm executable (default: LLM_MEMORY_LLM, else llm on PATH).", valueName: "path"))
    var llm: String?

    @Option(help: ArgumentHelp("Seconds to wait for the model before giving up (exit 75).", valueName: "seconds"))
    var timeout: Double = 120

    @Option(help: ArgumentHelp("Most ops one delta may hold; the exchanges of the rest are proposed again in the next run.", valueName: "n"))
    var maxOps: Int = 20

    @Option(help: ArgumentHelp("Longest op text, in characters; a longer one is shortened at a word boundary (said on stderr).", valueName: "n"))
    var maxOpChars: Int = 200

    @OptionGroup var stage: StageOptions

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard maxOps >= 0 else { throw ValidationError("--max-ops must be 0 or more") }
        guard maxOpChars > 0 else { throw ValidationError("--max-op-chars must be more than 0") }
        if let model, model.trimmingWhitespace().isEmpty { throw ValidationError("--model must not be empty") }
        if let budget, budget <= 0 { throw ValidationError("--budget must be more than 0") }
    }

    func run() throws {
        try stage.run("mem-propose") { () throws(MemError) in
            var options = Proposer.Options(
                profilePath: profile.resolved,
                model: model,
                llm: ModelClient.executable(option: llm))
            options.timeout = timeout
            options.parser.maxOps = maxOps
            options.parser.maxOpChars = maxOpChars
            options.gate = !noGate
            options.backfill = backfill
            if let chars = budget {
                options.limits.budgetChars = chars
            } else if let chars = try UpdatePrompt.Limits.budgetFromEnvironment() {
                options.limits.budgetChars = chars
            }
            let proposer = Proposer(options: options) { StandardStreams.report("mem-propose", $0) }
            let input = try StandardStreams.readStdin(limit: 256 << 20)
            let delta = try proposer.propose(exchangeLines: input)
            try StandardStreams.writeOut(delta.json.prettySerialized() + "\n")
        }
    }
}
