import Foundation
import Testing

/// A backlog of 200 exchanges through mem-propose, pass after pass as the porcelain runs
/// it: the budget decides what one model call takes; nothing is read twice or skipped.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv: run scripts/setup-test-env.sh"))
struct BatchingTests {
    let base = ProposeCommandTests()

    /// 100 self-disclosing prompts, written many ways, with short questions attached.
    static func disclosing(_ i: Int) -> String {
        let languages = ["Rust", "Go", "Python", "Swift", "Kotlin", "TypeScript", "Elixir", "Haskell", "Zig", "Ruby"]
        let cities = ["Lisbon", "Berlin", "Toronto", "Osaka", "Nairobi", "Porto", "Denver", "Krakow", "Leeds", "Austin"]
        let language = languages[i % languages.count]
        let city = cities[(i / 3) % cities.count]
        let forms = [
            "I'm a \(language) developer and I live in \(city). What's the idiomatic way to structure a small CLI with subcommands and shared config?",
            "For context, I work at a logistics startup in \(city) and I mostly write \(language). How would you design retries for a flaky HTTP API?",
            "i'm building a budgeting app in \(language) for my family, nothing fancy. should the ledger be an append-only log or a table of balances?",
            "I prefer short answers with code first. Show me how to read a CSV file in \(language) and sum one column.",
            "Please always answer in metric units — I'm based in \(city). How much water does a 3 m × 2 m raised bed need per week in summer?",
            "As a nurse working nights, I need a meal plan that doesn't wreck my sleep. I'm vegetarian, if that matters.",
            "remember that I use Neovim and tmux, so keyboard-driven suggestions are best. What's a good way to navigate between splits?",
            "I switched from Vim to Helix last month and I miss macros. Is there an equivalent of `q` recording in Helix?",
            "My name is Ada and I teach \(language) to beginners at a community college. What are three classic first-week exercises?",
            "I'm learning Japanese in my spare time (about 30 minutes a day). Which should I do first, kanji or grammar?",
        ]
        return forms[i % forms.count] + (i % 4 == 0 ? " Thanks!" : "")
    }

    /// 100 prompts that say nothing about the user: questions, pasted code and logs, translations.
    static func other(_ i: Int) -> String {
        let code = (0..<(8 + i % 30)).map { "    let value\($0) = compute(\($0)) // step \($0)" }.joined(separator: "\n")
        let log = (0..<(5 + i % 20)).map { "2024-06-0\(1 + $0 % 9) 10:\(10 + $0 % 50):0\($0 % 10) ERROR worker-\($0) I/O error on my_queue" }
            .joined(separator: "\n")
        let forms = [
            "What is a monad, in plain words?",
            "Why does this not compile?\n\n```swift\nfunc main() {\n\(code)\n}\n```",
            "what's wrong here?\n\n\(log)",
            "How do I reverse a linked list in place?",
            "Translate to French: I live in Lisbon and I work as a nurse.",
            "SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id HAVING SUM(total) > \(i * 10);\n\nwhy is this slow",
            "Summarize this:\n\nThe committee met on Tuesday to discuss the budget. " + String(repeating: "Members debated at length. ", count: 5 + i % 40),
            "Explain the difference between a process and a thread.",
            "Give me a regex for ISO 8601 dates.",
            "Can I use async functions inside a trait?",
        ]
        return forms[i % forms.count]
    }

    /// An assistant reply of a realistic length (300 to 3,000 characters).
    static func reply(_ i: Int) -> String {
        String(repeating: "Here is a detailed answer with an example and some caveats. ", count: 5 + (i * 7) % 45)
    }

    @Test func aBacklogOf200ExchangesTakesAHandfulOfModelCallsAndEachIsReadOnce() throws {
        let setup = try base.setup(rules: [["match": "", "reply": "{\"ops\": []}"]])
        defer { setup.sandbox.remove() }

        // Disclosing and other prompts interleaved, as they come in real use.
        let records: [(id: String, line: String)] = (0..<200).map { i in
            let id = String(format: "01JXBATCH%017d", i)
            let prompt = i % 2 == 0 ? Self.disclosing(i / 2) : Self.other(i / 2)
            return (id, ProposeCommandTests.exchangeLine(id: id, prompt: prompt, response: Self.reply(i), cursor: "r0.t\(i + 1)"))
        }
        let ids = records.map(\.id)
        var consumed: [String] = []
        var through: String?
        var passes = 0
        var remaining = records[...]
        while !remaining.isEmpty, passes < 50 {
            passes += 1
            let input = remaining.map(\.line).joined(separator: "\n") + "\n"
            let result = try base.propose(setup, [], input: input)
            #expect(result.status == 0, "\(result.err)")
            let delta = try base.json(result)
            let sources = try #require(delta["sources"] as? [String])
            through = try #require(delta["through"] as? String)
            // Sources are the exchanges from the first remaining one up to `through`, in order.
            #expect(sources == Array(remaining.prefix(sources.count).map(\.id)))
            #expect(through == "r0.t\(records.count - remaining.count + sources.count)")
            #expect(!sources.isEmpty)
            consumed += sources
            remaining = remaining.dropFirst(sources.count)
        }
        let calls = base.modelCalls(setup.log)
        print("batching: 200 exchanges (100 self-disclosing) → \(passes) passes, \(calls.count) model calls")
        #expect(consumed == ids, "every exchange consumed exactly once, in order")
        #expect(through == "r0.t200")
        #expect(calls.count <= 6)
        #expect(calls.count >= 2, "the budget split the backlog")
        // Only self-disclosing exchanges were sent, each once.
        let sent = calls.compactMap { $0["prompt"] }.joined()
        #expect(sent.components(separatedBy: "<exchange n=").count - 1 == 100)
        #expect(!sent.contains("What is a monad"))
        #expect(!sent.contains("ERROR worker-"))
    }
}

/// No fact is dropped for lack of room (issue 10 §2), through the real mem-propose, llm
/// 0.36 and the scripted model: ops over `--max-ops` or after a cut never mark their
/// exchanges as read; pass after pass, every fact arrives exactly once.
@Suite(.enabled(if: Repo.llmAvailable, "needs the pinned llm venv: run scripts/setup-test-env.sh"))
struct CarryOverTests {
    let base = ProposeCommandTests()

    static func fact(_ i: Int) -> String { String(format: "fact-%04d", i) }

    /// `{"op": "add", …, "text": "Likes fact-0007", "ex": n}`
    static func op(_ fact: Int, ex: Int) -> String {
        #"{"op": "add", "section": "Interests", "text": "Likes \#(Self.fact(fact))", "ex": \#(ex)}"#
    }

    /// Scripted-model rules for exchanges "I like fact-NNNN." (first…last): a call whose
    /// first exchange states fact i answers one op per fact from i to `last` (or
    /// `perExchange` ops for fact i alone), numbered as the batch numbers them. With `cut`,
    /// a reply of more than `cut` ops stops in the middle of op `cut + 1`, as a model
    /// stopped by its output limit does.
    static func rules(first: Int = 1, last: Int, cut: Int? = nil, perExchange: Int = 1) -> [[String: Any]] {
        (first...last).map { i in
            var ops = perExchange > 1
                ? (1...perExchange).map { k in #"{"op": "add", "section": "Interests", "text": "Likes \#(Self.fact(i)) part \#(k)", "ex": 1}"# }
                : (i...last).map { op($0, ex: $0 - i + 1) }
            var reply = "{\"ops\": [" + ops.joined(separator: ", ") + "]}"
            if let cut, ops.count > cut {
                ops = Array(ops.prefix(cut))
                reply = "{\"ops\": [" + ops.joined(separator: ", ") + #", {"op": "add", "section": "Interests", "text": "Likes fa"#
            }
            return ["match": "I like \(Self.fact(i)).", "reply": reply]
        }
    }

    static func lines(_ range: ClosedRange<Int>) -> [(id: String, line: String)] {
        range.map { i in
            let id = "x\(i)"
            return (id, ProposeCommandTests.exchangeLine(id: id, prompt: "I like \(fact(i)).", cursor: "r0.t\(i)"))
        }
    }

    /// Runs mem-propose pass after pass over what is left, as the porcelain does; returns
    /// the texts of every op proposed and the number of passes.
    func passes(_ setup: ProposeCommandTests.Setup, _ records: [(id: String, line: String)], _ arguments: [String] = [])
        throws -> (texts: [String], passes: Int, stderr: String) {
        var remaining = records[...]
        var texts: [String] = []
        var passes = 0
        var stderr = ""
        while !remaining.isEmpty, passes < 30 {
            passes += 1
            let result = try base.propose(setup, arguments, input: remaining.map(\.line).joined(separator: "\n") + "\n")
            #expect(result.status == 0, "\(result.err)")
            stderr += result.err
            let delta = try base.json(result)
            let sources = try #require(delta["sources"] as? [String])
            let ops = try #require(delta["ops"] as? [[String: String]])
            #expect(!sources.isEmpty, "every pass reads at least one exchange")
            #expect(sources == Array(remaining.prefix(sources.count).map(\.id)))
            #expect(delta["through"] as? String == "r0.t\(records.count - remaining.count + sources.count)")
            // Every op comes from an exchange this delta marks as read.
            #expect(ops.allSatisfy { sources.contains($0["source"] ?? "") }, "\(ops)")
            texts += ops.compactMap { $0["text"] }
            remaining = remaining.dropFirst(sources.count)
        }
        return (texts, passes, stderr)
    }

    @Test func opsOverTheLimitAreProposedAgainInTheNextPassNotDropped() throws {
        let setup = try base.setup(rules: Self.rules(last: 12))
        defer { setup.sandbox.remove() }
        let run = try passes(setup, Self.lines(1...12), ["--max-ops", "5"])
        #expect(run.texts == (1...12).map { "Likes \(Self.fact($0))" }, "every fact once, in order")
        #expect(run.passes == 3)
        #expect(run.stderr.contains("carried over: the 7 exchanges from x6 on are proposed again in the next pass, not marked as read: 7 ops were over the limit of 5 per delta"),
                "\(run.stderr)")
    }

    @Test func aReplyCutOffMidOpMarksOnlyTheExchangesItFinishedAsRead() throws {
        let setup = try base.setup(rules: Self.rules(last: 12, cut: 4))
        defer { setup.sandbox.remove() }
        let run = try passes(setup, Self.lines(1...12))
        #expect(run.texts == (1...12).map { "Likes \(Self.fact($0))" }, "every fact once, in order")
        // Four complete ops a reply: the fourth exchange may have had more, so three are read.
        #expect(run.passes == 4)
        #expect(run.stderr.contains("the reply was cut off inside an op"), "\(run.stderr)")
    }

    @Test func aSingleExchangeWithMoreOpsThanTheLimitKeepsWhatFitsOnceAndIsRead() throws {
        let setup = try base.setup(rules: Self.rules(last: 1, perExchange: 25))
        defer { setup.sandbox.remove() }
        let result = try base.propose(setup, [], input: Self.lines(1...1)[0].line + "\n")
        #expect(result.status == 0, "\(result.err)")
        let delta = try base.json(result)
        #expect((delta["ops"] as? [Any])?.count == 20)
        #expect(delta["through"] as? String == "r0.t1")
        #expect(result.err.contains("exchange x1 alone has more ops than one reply holds (5 ops were over the limit of 20 per delta): kept the 20 that fit; it is not asked again"),
                "\(result.err)")
        #expect(base.modelCalls(setup.log).count == 1)
    }

    @Test func whenNotEvenTheFirstExchangeIsWholeItIsAskedAgainAlone() throws {
        // Whatever the batch, the reply is 25 ops all about its first exchange.
        let setup = try base.setup(rules: Self.rules(last: 3, perExchange: 25))
        defer { setup.sandbox.remove() }
        let result = try base.propose(setup, [], input: Self.lines(1...3).map(\.line).joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.err)")
        let delta = try base.json(result)
        #expect(delta["sources"] as? [String] == ["x1"])
        #expect(delta["through"] as? String == "r0.t1")
        #expect((delta["ops"] as? [Any])?.count == 20)
        let calls = base.modelCalls(setup.log)
        #expect(calls.count == 2)
        #expect(calls.last?["prompt"]?.contains("fact-0002") == false, "the second call holds the first exchange alone")
        #expect(result.err.contains("asking again with exchange x1 alone"), "\(result.err)")
    }
}
