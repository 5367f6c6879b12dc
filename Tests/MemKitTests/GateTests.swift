import Foundation
import Testing
@testable import MemKit

/// A labelled prompt of `Tests/Fixtures/gate-corpus.jsonl`.
struct CorpusPrompt: Sendable {
    var prompt: String
    var discloses: Bool
    var kind: String

    /// The committed corpus: realistic prompts written for these tests, each labelled
    /// with whether it states a durable fact about the user.
    static let all = load("gate-corpus.jsonl")

    /// A held-out corpus, written later by someone who had not seen the gate, the
    /// extractor or the first corpus: what the figures are on prompts nobody tuned for.
    static let holdout = load("gate-holdout.jsonl")

    static func load(_ name: String) -> [CorpusPrompt] {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
        let file = url.appendingPathComponent("Fixtures/\(name)")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let prompt = object["prompt"] as? String, let discloses = object["discloses"] as? Bool,
                  let kind = object["kind"] as? String else { return nil }
            return CorpusPrompt(prompt: prompt, discloses: discloses, kind: kind)
        }
    }

    /// The profile the local extractor is measured against: it holds the bullets the
    /// corpus's "forget …" and "switched from …" prompts refer to.
    static let profile = TestProfile.text(
        personal: ["Role: JavaScript developer", "Lives in Paris", "Works at Acme", "Uses Vim", "Uses Windows", "Uses Heroku",
                   "Uses iPhone", "Role: PhD student"],
        interests: ["Interested in crypto"])
}

func percent(_ part: Int, _ whole: Int) -> String {
    guard whole > 0 else { return "n/a" }
    let tenths = (part * 1000 + whole / 2) / whole
    return "\(tenths / 10).\(tenths % 10)%"
}

@Suite struct GateTests {
    func exchange(_ prompt: String?) -> Exchange {
        Exchange(id: "x", conversation: nil, model: nil, datetime: nil, prompt: prompt, system: "You are a pirate. I am the captain.",
                 fragments: [], response: "As a Rust developer living in Lisbon, I love this.", cursor: "r0.t1")
    }

    // MARK: - The corpus figures

    @Test func theCorpusHasAtLeast300RealisticPromptsWithAtLeast80SelfDisclosures() {
        let corpus = CorpusPrompt.all
        #expect(corpus.count >= 300)
        #expect(corpus.filter(\.discloses).count >= 80)
        #expect(Set(corpus.map(\.kind)).count >= 15)
    }

    /// The corpus written with the gate, one written apart from it (and used afterwards
    /// to extend it), and one written apart from it and never tuned on.
    static let corpora = ["gate-corpus.jsonl", "gate-holdout.jsonl", "gate-holdout-2.jsonl"]

    @Test(arguments: corpora)
    func theGateAvoidsAtLeast60PercentOfCallsAndPassesAtLeast98PercentOfSelfDisclosures(file: String) {
        let corpus = CorpusPrompt.load(file)
        #expect(corpus.count >= 300, "\(file) is missing or short")
        let disclosing = corpus.filter(\.discloses)
        let other = corpus.filter { !$0.discloses }
        let passed = corpus.map { Gate.mayDisclose(prompt: $0.prompt) }
        let droppedAll = passed.filter { !$0 }.count
        let disclosuresPassed = zip(corpus, passed).filter { $0.0.discloses && $0.1 }.count
        let othersDropped = zip(corpus, passed).filter { !$0.0.discloses && !$0.1 }.count

        print("""
            gate corpus \(file): \(corpus.count) prompts, \(disclosing.count) self-disclosing, \(other.count) not
            gate: model calls avoided (dropped / all prompts): \(droppedAll)/\(corpus.count) = \(percent(droppedAll, corpus.count))
            gate: non-disclosing prompts dropped: \(othersDropped)/\(other.count) = \(percent(othersDropped, other.count))
            gate: self-disclosing prompts passed: \(disclosuresPassed)/\(disclosing.count) = \(percent(disclosuresPassed, disclosing.count))
            """)
        for (entry, pass) in zip(corpus, passed) where entry.discloses && !pass {
            print("gate: missed disclosure [\(entry.kind)]: \(entry.prompt.prefix(100))")
        }
        for (entry, pass) in zip(corpus, passed) where !entry.discloses && pass {
            print("gate: passed non-disclosing [\(entry.kind)]: \(entry.prompt.prefix(100).replacingOccurrences(of: "\n", with: "⏎"))")
        }
        #expect(droppedAll * 100 >= corpus.count * 60, "calls avoided over all prompts")
        #expect(othersDropped * 100 >= other.count * 60, "non-disclosing prompts dropped")
        #expect(disclosuresPassed * 100 >= disclosing.count * 98, "self-disclosures passed")
    }

    @Test(arguments: corpora)
    func theLocalExtractorHasAtMost2PercentFalsePositivesOnTheCorpus(file: String) {
        let corpus = CorpusPrompt.load(file)
        let extractor = LocalExtractor(profile: CorpusPrompt.profile)
        func ops(_ entry: CorpusPrompt) -> [DeltaOp] {
            // As mem-propose runs it: the gate first.
            guard Gate.mayDisclose(prompt: entry.prompt) else { return [] }
            return extractor.extract([Exchange(id: "x", conversation: nil, model: nil, datetime: nil, prompt: entry.prompt,
                                               system: nil, fragments: [], response: "", cursor: "r0.t1")]).ops
        }
        let disclosing = corpus.filter(\.discloses)
        let other = corpus.filter { !$0.discloses }
        let found = disclosing.map { ($0, ops($0)) }
        let hits = found.filter { !$0.1.isEmpty }.count
        let falsePositives = other.map { ($0, ops($0)) }.filter { !$0.1.isEmpty }

        print("""
            local \(file): recall (self-disclosing prompts with at least one op): \(hits)/\(disclosing.count) = \(percent(hits, disclosing.count))
            local: false positives (non-disclosing prompts with any op): \(falsePositives.count)/\(other.count) = \(percent(falsePositives.count, other.count))
            """)
        for (entry, ops) in falsePositives {
            print("local: false positive [\(entry.kind)]: \(entry.prompt.prefix(80)) → \(ops.map { $0.text ?? $0.old ?? "" })")
        }
        for (entry, ops) in found {
            let shown = ops.map { "\($0.kind.rawValue) \($0.section): \($0.text ?? $0.old ?? "")" }
            print("local: [\(entry.kind)] \(entry.prompt.prefix(70).replacingOccurrences(of: "\n", with: "⏎")) → \(shown)")
        }
        #expect(falsePositives.count * 100 <= other.count * 2)
        if file == "gate-corpus.jsonl" {
            // Precision over recall: on prompts written apart from its patterns it finds
            // fewer (about 40%), and that is reported, not held to this floor.
            #expect(hits * 100 >= disclosing.count * 60, "recall has fallen a long way")
        }
    }
}

