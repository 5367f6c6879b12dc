import Testing
@testable import MemKit

@Suite struct ReplyParserTests {
    let parser = ReplyParser(exchangeIDs: ["id-1", "id-2", "id-3"])

    static let canonical = #"""
        {"ops": [
          {"op": "add", "section": "Current Projects", "text": "Building a memory add-on for llm", "ex": 1},
          {"op": "replace", "section": "Personal Information", "old": "Role: JavaScript developer", "text": "Role: Rust developer", "ex": 2},
          {"op": "remove", "section": "Interests", "old": "Exploring transformer architectures", "ex": 3}
        ]}
        """#

    static let expected = [
        DeltaOp(kind: .add, section: "Current Projects", text: "Building a memory add-on for llm", source: "id-1"),
        DeltaOp(kind: .replace, section: "Personal Information", text: "Role: Rust developer", old: "Role: JavaScript developer", source: "id-2"),
        DeltaOp(kind: .remove, section: "Interests", old: "Exploring transformer architectures", source: "id-3"),
    ]

    @Test func aWellFormedReplyGivesItsOpsWithCitationsMappedToExchangeIDs() {
        let result = parser.parse(Self.canonical)
        #expect(result.ops == Self.expected)
        #expect(result.notes.isEmpty)
        #expect(result.foundOps)
    }

    @Test func codeFencesAndProseAroundTheJSONAreIgnored() {
        let fenced = "Sure! Here are the changes:\n\n```json\n\(Self.canonical)\n```\n\nLet me know if you need more."
        #expect(parser.parse(fenced).ops == Self.expected)
        let prose = "Based on exchange [1] and [2], I suggest: \(Self.canonical) — these reflect the user's statements."
        #expect(parser.parse(prose).ops == Self.expected)
        let unclosedFence = "```\n\(Self.canonical)"
        #expect(parser.parse(unclosedFence).ops == Self.expected)
    }

    @Test func reasoningBlocksAreRemovedEvenWhenTheyHoldJSON() {
        let decoy = #"{"ops": [{"op": "add", "section": "Interests", "text": "Decoy from reasoning", "ex": 1}]}"#
        for reply in [
            "<think>The user said X. Maybe \(decoy)?</think>\n\(Self.canonical)",
            "<THINKING>\n\(decoy)\n</THINKING>\(Self.canonical)",
            "<reasoning>hmm \(decoy)</reasoning> ok: \(Self.canonical)",
            // A reply that starts inside the reasoning: only its closing tag is there.
            "so the answer is \(decoy) ... wait.\n</think>\n\(Self.canonical)",
        ] {
            #expect(parser.parse(reply).ops == Self.expected, "\(reply)")
        }
    }

    @Test func anUnclosedReasoningBlockHidesWhatFollowsAndSaysSo() {
        let result = parser.parse("<think>I will answer \(Self.canonical) and then")
        #expect(result.ops.isEmpty)
        #expect(result.notes.contains { $0.contains("unclosed <think>") })
    }

    @Test func trailingCommasAreAccepted() {
        let reply = #"{"ops": [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1,},],}"#
        #expect(parser.parse(reply).ops == [DeltaOp(kind: .add, section: "Interests", text: "Sailing", source: "id-1")])
    }

    @Test func aReplyCutOffAnywhereKeepsExactlyItsCompleteOps() {
        let text = Self.canonical
        let bytes = Array(text.utf8)
        // Where each op's object closes.
        var closes: [Int] = []
        var depth = 0
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "{") { depth += 1 }
            if b == UInt8(ascii: "}") { depth -= 1; if depth == 1 { closes.append(i) } }
        }
        #expect(closes.count == 3)
        for cut in 1..<bytes.count {
            let reply = String(decoding: bytes[..<cut], as: UTF8.self)
            let complete = closes.filter { $0 < cut }.count
            let result = parser.parse(reply)
            #expect(result.ops == Array(Self.expected.prefix(complete)), "cut at \(cut): \(reply)")
        }
    }

    @Test func aCutOffOpThatAlreadyHasEveryFieldIsStillDropped() {
        let reply = #"{"ops": [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1}, {"op": "add", "section": "Interests", "text": "Chess""#
        let result = parser.parse(reply)
        #expect(result.ops == [DeltaOp(kind: .add, section: "Interests", text: "Sailing", source: "id-1")])
        #expect(result.notes.contains { $0.contains("op 2: cut off") })
        #expect(result.notes.contains { $0.contains("cut off; its complete ops are kept") })
    }

    @Test func aliasKeysAndOpNamesAreUnderstood() {
        let reply = #"""
            {"changes": [
              {"action": "insert", "category": "## interests", "fact": "Sailing", "exchange": "[1]"},
              {"type": "update", "heading": "Personal Information", "from": "Role: JS dev", "new_text": "Role: Rust dev", "source": "2"},
              {"operation": "forget", "section": "Preferences", "target": "Likes tabs", "ref": "ex 3"},
              {"op": "delete", "section": "Preferences", "text": "Dark mode", "citation": 3}
            ]}
            """#
        let result = parser.parse(reply)
        #expect(result.ops == [
            DeltaOp(kind: .add, section: "Interests", text: "Sailing", source: "id-1"),
            DeltaOp(kind: .replace, section: "Personal Information", text: "Role: Rust dev", old: "Role: JS dev", source: "id-2"),
            DeltaOp(kind: .remove, section: "Preferences", old: "Likes tabs", source: "id-3"),
            DeltaOp(kind: .remove, section: "Preferences", old: "Dark mode", source: "id-3"),
        ])
    }

    @Test func otherContainersATopLevelArrayAndLooseOpsAreAccepted() {
        let op = #"{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1}"#
        let want = [DeltaOp(kind: .add, section: "Interests", text: "Sailing", source: "id-1")]
        for reply in ["[\(op)]", #"{"operations": [\#(op)]}"#, #"{"edits": [\#(op)]}"#, #"{"updates": [\#(op)]}"#,
                      #"{"delta": {"ops": [\#(op)]}}"#, #"{"delta": [\#(op)]}"#, #"{"result": {"ops": [\#(op)]}}"#, op] {
            #expect(parser.parse(reply).ops == want, "\(reply)")
        }
        let lines = "\(op)\n{\"op\": \"add\", \"section\": \"Interests\", \"text\": \"Chess\", \"ex\": 2}"
        #expect(parser.parse(lines).ops.map(\.text) == ["Sailing", "Chess"])
    }

    @Test func aBrokenArrayStillYieldsItsWellFormedOpObjects() {
        // A missing comma makes the array unparseable; the op objects in it still parse.
        let reply = #"{"ops": [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1} {"op": "add", "section": "Interests", "text": "Chess", "ex": 2}]}"#
        #expect(parser.parse(reply).ops.map(\.text) == ["Sailing", "Chess"])
    }

    @Test func opsWithWrongTypesOrMissingFieldsAreDroppedWithAReason() {
        let reply = #"""
            {"ops": [
              {"op": "add", "section": "Interests", "text": 42, "ex": 1},
              {"op": "add", "section": ["Interests"], "text": "Chess", "ex": 1},
              {"op": "add", "text": "No section", "ex": 1},
              {"op": "replace", "section": "Interests", "text": "No old", "ex": 1},
              {"op": "remove", "section": "Interests", "ex": 1},
              {"op": "rename", "section": "Interests", "text": "x", "ex": 1},
              {"section": "Interests", "text": "No op", "ex": 1},
              {"op": "add", "section": "  ", "text": "Blank section", "ex": 1},
              {"op": "add", "section": "Interests", "text": "   ", "ex": 1},
              "add Sailing",
              null,
              {"op": "add", "section": "Interests", "text": "Kept", "ex": 1}
            ]}
            """#
        let result = parser.parse(reply)
        #expect(result.ops == [DeltaOp(kind: .add, section: "Interests", text: "Kept", source: "id-1")])
        let dropped = result.notes.filter { $0.hasPrefix("dropped op") }
        #expect(dropped.count == 11)
        #expect(dropped[0].contains("\"text\" is not a string"))
        #expect(dropped[1].contains("\"section\" is not a string"))
        #expect(dropped[2].contains("no \"section\""))
        #expect(dropped[3].contains("\"replace\" without \"old\""))
        #expect(dropped[4].contains("\"remove\" without \"old\""))
        #expect(dropped[5].contains("unknown op \"rename\""))
        #expect(dropped[6].contains("no \"op\""))
        #expect(dropped[7].contains("empty \"section\""))
        #expect(dropped[8].contains("\"add\" without \"text\""))
        #expect(dropped[9].contains("not a JSON object"))
        #expect(result.notes.last == "kept 1 of 12 ops from the model's reply; dropped 11")
    }

    @Test func emptyAndRefusalRepliesGiveNoOpsAndAWarning() {
        for reply in ["", "   \n", "I'm sorry, but I can't help with that request.", "No changes needed [1].", "{}", #"{"ops": "none"}"#] {
            let result = parser.parse(reply)
            #expect(result.ops.isEmpty, "\(reply)")
            #expect(!result.foundOps, "\(reply)")
            #expect(result.notes.count == 1, "\(reply)")
        }
        let refusal = parser.parse("I'm sorry, but I can't help with that request.")
        #expect(refusal.notes[0].contains("held no JSON ops"))
        #expect(refusal.notes[0].contains("I'm sorry"))
    }

    @Test func anExplicitlyEmptyDeltaIsQuiet() {
        for reply in [#"{"ops": []}"#, "[]", "```json\n{\"ops\": []}\n```"] {
            let result = parser.parse(reply)
            #expect(result.ops.isEmpty)
            #expect(result.foundOps)
            #expect(result.notes.isEmpty)
        }
    }

    @Test func aJSONDumpThatIsNotADeltaIsNotMistakenForOne() {
        // What the `echo` model answers: a JSON object with unrelated arrays.
        let echo = #"{"prompt": "x {\"ops\": [{\"op\": \"add\"}]}", "system": "y", "attachments": [], "stream": true, "previous": []}"#
        let result = parser.parse(echo)
        #expect(result.ops.isEmpty)
        #expect(!result.foundOps)
    }

    @Test func aHugeReplyIsReadOnlyUpToTheCap() {
        var options = ReplyParser.Options()
        options.maxReplyBytes = 1 << 20
        let capped = ReplyParser(exchangeIDs: ["id-1"], options: options)
        let op = #"{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1}, "#
        var reply = #"{"ops": ["#
        let filler = String(repeating: "x", count: 1000)
        reply += op
        while reply.utf8.count < 5 << 20 {
            reply += #"{"op": "add", "section": "Interests", "text": "\#(filler)", "ex": 1}, "#
        }
        reply += "]}"
        let result = capped.parse(reply)
        // The first filler op is kept shortened to 200 characters; the rest are its duplicates.
        #expect(result.ops == [DeltaOp(kind: .add, section: "Interests", text: "Sailing", source: "id-1"),
                               DeltaOp(kind: .add, section: "Interests", text: String(filler.prefix(199)) + "…", source: "id-1")])
        #expect(result.notes.contains { $0.contains("only the first 1048576 were read") })
        // The per-op report is capped too.
        #expect(result.notes.count < 30)
        #expect(result.notes.contains { $0.hasPrefix("… and ") })
    }

    @Test func duplicateOpsAreKeptOnce() {
        let reply = #"""
            [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1},
             {"op": "add", "section": "interests", "text": "  sailing ", "ex": 2},
             {"op": "append", "section": "Interests", "text": "Sailing", "ex": 3}]
            """#
        let result = parser.parse(reply)
        #expect(result.ops == [DeltaOp(kind: .add, section: "Interests", text: "Sailing", source: "id-1")])
        #expect(result.notes.filter { $0.contains("duplicate") }.count == 2)
    }

    @Test func unknownCitationsAreDroppedButTheOpIsKeptWithoutASource() {
        let reply = #"""
            [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 9},
             {"op": "add", "section": "Interests", "text": "Chess", "ex": "abc"},
             {"op": "add", "section": "Interests", "text": "Go"},
             {"op": "add", "section": "Interests", "text": "Tennis", "source": "id-2"}]
            """#
        let result = parser.parse(reply)
        #expect(result.ops.map(\.source) == [nil, nil, nil, "id-2"])
        #expect(result.notes.contains { $0.contains("op 1: cites \"ex\": 9, which is not an exchange of this batch; kept without a source") })
        #expect(result.notes.contains { $0.contains("op 3: cites no exchange") })
    }

    @Test func withASingleExchangeAMissingOrUnknownCitationMeansThatExchange() {
        let single = ReplyParser(exchangeIDs: ["only"])
        let result = single.parse(#"[{"op": "add", "section": "Interests", "text": "Sailing", "ex": 4}, {"op": "add", "section": "Interests", "text": "Chess"}]"#)
        #expect(result.ops.map(\.source) == ["only", "only"])
    }

    @Test func secretLookingOpsAreDropped() {
        let key = "sk-" + "proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56"
        let reply = """
            [{"op": "add", "section": "Personal Information", "text": "OpenAI key: \(key)", "ex": 1},
             {"op": "add", "section": "Personal Information", "text": "API key is [REDACTED:openai-key]", "ex": 1},
             {"op": "remove", "section": "Personal Information", "old": "password=hunter2", "ex": 1},
             {"op": "add", "section": "Personal Information", "text": "Role: Rust developer", "ex": 1}]
            """
        let result = parser.parse(reply)
        #expect(result.ops == [DeltaOp(kind: .add, section: "Personal Information", text: "Role: Rust developer", source: "id-1")])
        #expect(result.notes.filter { $0.contains("looks like a secret") }.count == 3)
        // The report itself never repeats the secret.
        #expect(!result.notes.joined().contains(key))
    }

    @Test func opsBeyondTheCountLimitAreDroppedAndOverlongTextsShortenedAtAWord() {
        var options = ReplyParser.Options()
        options.maxOps = 2
        options.maxOpChars = 20
        let limited = ReplyParser(exchangeIDs: ["id-1"], options: options)
        let reply = #"""
            [{"op": "add", "section": "Interests", "text": "This text is far longer than twenty characters"},
             {"op": "add", "section": "Interests", "text": "Sailing"},
             {"op": "add", "section": "Interests", "text": "Chess"},
             {"op": "add", "section": "Interests", "text": "Go"}]
            """#
        let result = limited.parse(reply)
        #expect(result.ops.map(\.text) == ["This text is far…", "Sailing"])
        #expect(result.notes.contains { $0.contains("op 1") && $0.contains("over the limit of 20: shortened to \"This text is far…\"") })
        #expect(result.notes.contains { $0.contains("op 3") && $0.contains("over the limit of 2 ops") })
        #expect(result.notes.contains { $0.contains("op 4") && $0.contains("over the limit of 2 ops") })
    }

    @Test(arguments: [
        ("Uses Swift, Rust and Go", 16, "Uses Swift…"),  // the comma left dangling goes
        ("Works at a fintech startup in Berlin", 36, "Works at a fintech startup in Berlin"),  // fits: unchanged
        ("Works at a fintech startup in Berlin", 30, "Works at a fintech startup in…"),  // cut where a space falls
        ("Supercalifragilistic expialidocious", 10, "Supercali…"),  // a first word over the limit is cut inside
    ])
    func anOverlongTextKeepsItsFirstWholeWordsAndEndsInAnEllipsis(text: String, limit: Int, shortened: String) {
        #expect(text.shortenedAtWord(to: limit) == shortened)
        #expect(shortened.unicodeScalars.count <= limit)
    }

    @Test func defaultLimitsAreTwentyOpsAndTwoHundredCharacters() {
        let options = ReplyParser.Options()
        #expect(options.maxOps == 20)
        #expect(options.maxOpChars == 200)
        #expect(options.maxReplyBytes == 1 << 20)
        let ops = (1...25).map { #"{"op": "add", "section": "Interests", "text": "Topic \#($0)", "ex": 1}"# }
        #expect(parser.parse("[" + ops.joined(separator: ",") + "]").ops.count == 20)
        let long = String(repeating: "a", count: 201)
        let kept = parser.parse(#"[{"op": "add", "section": "Interests", "text": "\#(long)", "ex": 1}]"#).ops
        #expect(kept.map(\.text) == [String(repeating: "a", count: 199) + "…"])
    }

    @Test func textsAreTidiedAndKnownSectionsSpelledAsTheProfileSpellsThem() {
        let tidy = ReplyParser(exchangeIDs: ["id-1"], sections: ["Work Stuff", "Interests"])
        let reply = #"[{"op": "add", "section": "work stuff", "text": "- Uses\n  Swift   daily"}, {"op": "add", "section": "Hobbies", "text": "Sailing"}]"#
        let result = tidy.parse(reply)
        #expect(result.ops == [
            DeltaOp(kind: .add, section: "Work Stuff", text: "Uses Swift daily", source: "id-1"),
            DeltaOp(kind: .add, section: "Hobbies", text: "Sailing", source: "id-1"),
        ])
    }

    @Test func citationsAreReadInTheirCommonShapes() {
        #expect(parser.citation(.number(2)) == "id-2")
        #expect(parser.citation(.string("3")) == "id-3")
        #expect(parser.citation(.string("[1]")) == "id-1")
        #expect(parser.citation(.string("#2")) == "id-2")
        #expect(parser.citation(.string("Exchange 3")) == "id-3")
        #expect(parser.citation(.string("id-2")) == "id-2")
        #expect(parser.citation(.array([.number(1)])) == "id-1")
        #expect(parser.citation(.number(0)) == nil)
        #expect(parser.citation(.number(1.5)) == nil)
        #expect(parser.citation(.number(4)) == nil)
        #expect(parser.citation(.string("one")) == nil)
    }

    @Test func everyOpOfTheReplyIsListedWithTheExchangeItCitesAndWhatBecameOfIt() {
        var options = ReplyParser.Options()
        options.maxOps = 2
        let limited = ReplyParser(exchangeIDs: ["id-1", "id-2", "id-3"], options: options)
        let reply = #"""
            [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1},
             {"op": "add", "section": "Interests", "ex": 2},
             {"op": "add", "section": "Interests", "text": "Sailing", "ex": 1},
             {"op": "add", "section": "Interests", "text": "Chess", "ex": "[2]"},
             {"op": "add", "section": "Interests", "text": "Go"},
             {"op": "add", "section": "Interests", "text": "Jazz", "ex": 3}]
            """#
        let result = limited.parse(reply)
        #expect(result.ops.map(\.text) == ["Sailing", "Chess"])
        #expect(result.items == [
            .init(exchange: 1, fate: .kept), .init(exchange: 2, fate: .dropped), .init(exchange: 1, fate: .dropped),
            .init(exchange: 2, fate: .kept), .init(exchange: nil, fate: .overLimit), .init(exchange: 3, fate: .overLimit),
        ])
        #expect(result.keptExchanges == [1, 2])
        #expect(!result.cutOff)
        // A malformed op past the limit is dropped for what it is, not carried over.
        let late = limited.parse(#"[{"op": "add", "section": "Interests", "text": "A", "ex": 1}, {"op": "add", "section": "Interests", "text": "B", "ex": 1}, {"op": "add", "section": "Interests", "ex": 2}]"#)
        #expect(late.items.last == .init(exchange: 2, fate: .dropped))
    }

    @Test func aReplyThatStopsInsideItsOpsIsCutOffAndOneThatClosedThemIsNot() {
        let complete = #"{"ops": [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1}]}"#
        #expect(!parser.parse(complete).cutOff)
        // The array closed, the object around it did not: every op is there.
        #expect(!parser.parse(String(complete.dropLast())).cutOff)
        let open = #"{"ops": [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1}, {"op": "add", "section": "Inter"#
        let result = parser.parse(open)
        #expect(result.cutOff)
        #expect(result.items == [.init(exchange: 1, fate: .kept), .init(exchange: nil, fate: .cutOff)])
        let afterComma = #"{"ops": [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1},"#
        #expect(parser.parse(afterComma).cutOff)
        #expect(parser.parse(afterComma).items == [.init(exchange: 1, fate: .kept)])
        // The citation of the op it was cut in, when it came first.
        let citedFirst = #"[{"ex": 2, "op": "add", "section": "Inter"#
        #expect(parser.parse(citedFirst).items == [.init(exchange: 2, fate: .cutOff)])
    }

    @Test func aReplyWithNoOpsIsCutOffOnlyWhenItStoppedBeforeItsAnswerCould() {
        #expect(!parser.parse("I cannot help with that.").cutOff)
        #expect(!parser.parse("").cutOff)
        #expect(!parser.parse("{\"note\": \"nothing to change\"}").cutOff)
        #expect(parser.parse("<think>The user said they moved, so").cutOff)
        #expect(parser.parse("Here is the delta: {\"o").cutOff)
        #expect(parser.parse(Array("The user seems to like".utf8), capped: true).cutOff)
    }

    @Test func aReplyReadOnlyUpToTheCapIsCutOffWhenTheCapFellInsideItsOps() {
        var options = ReplyParser.Options()
        options.maxReplyBytes = 80
        let capped = ReplyParser(exchangeIDs: ["id-1", "id-2"], options: options)
        let reply = #"{"ops": [{"op": "add", "section": "Interests", "text": "Sailing", "ex": 1}, {"op": "add", "section": "Interests", "text": "Chess", "ex": 2}]}"#
        let result = capped.parse(reply)
        #expect(result.cutOff)
        #expect(result.ops.map(\.text) == ["Sailing"])
        let short = #"{"ops": [{"op": "add", "section": "Interests", "text": "Go", "ex": 1}]} and then a long tail of prose"#
        #expect(!capped.parse(short).cutOff)
    }
}
