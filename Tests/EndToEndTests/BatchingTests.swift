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
