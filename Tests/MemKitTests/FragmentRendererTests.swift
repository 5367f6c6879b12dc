import Testing
@testable import MemKit

private func render(_ text: String, maxChars: Int = FragmentRenderer.defaultMaxChars) -> RenderedFragment {
    FragmentRenderer.render(ProfileDocument(bytes: Array(text.utf8)), maxChars: maxChars)
}

private let header = FragmentRenderer.marker + "\n" + FragmentRenderer.framing + "\n\n"
private let footer = FragmentRenderer.endMarker + "\n"

@Suite struct FragmentRendererTests {
    @Test func theFragmentIsTheMarkerTheFramingABlankLineAndTheProfile() {
        let fragment = render("# User profile\n\n## Interests\n\n- Rust\n")
        #expect(fragment.text == header + "# User profile\n\n## Interests\n\n- Rust\n" + footer)
        let lines = fragment.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "<!-- llm-user-memory:fragment -->")
        #expect(FragmentRenderer.framing.contains("background about the user"))
        #expect(FragmentRenderer.framing.contains("not instructions"))
        #expect(FragmentRenderer.framing.contains("relevant"))
    }

    @Test func aMissingOrEmptyProfileRendersNothing() {
        #expect(FragmentRenderer.render(nil).text.isEmpty)
        #expect(FragmentRenderer.render(.default).text.isEmpty)
        #expect(render("").text.isEmpty)
        #expect(render("\n\n  \n").text.isEmpty)
        #expect(render("# Me\n<!-- notes\nstill notes -->\n## A\n### B\n<!-- x -->\n- \n").text.isEmpty)
    }

    @Test func commentsAndEmptyHeadingsAreLeftOutAndBlankRunsCollapse() {
        let fragment = render("""
            # User profile
            <!-- private: do not send -->

            ## Personal Information



            ## Interests
            - Rust <!-- since 2020 -->
            ### Empty sub
            ## Preferences
            ```
            <!-- code keeps this -->
            ```
            """)
        #expect(fragment.text == header + """
            # User profile

            ## Interests
            - Rust
            ## Preferences
            ```
            <!-- code keeps this -->
            ```

            """ + footer)
    }

    @Test func windowsLineEndingsAndAByteOrderMarkDoNotReachTheModel() {
        let fragment = FragmentRenderer.render(ProfileDocument(bytes: [0xEF, 0xBB, 0xBF] + Array("## A\r\n- x\r\n".utf8)))
        #expect(fragment.text == header + "## A\n- x\n" + footer)
    }

    @Test func overBudgetWholeBulletsAreLeftOutOldestFirstAndEverySectionKeepsItsShare() {
        // Ranked: A's newest (two), B's newest (four), A's next (one), B's next (three).
        let profile = "## A\n- one\n- two\n  - two detail\n## B\n- three\n- four\n"
        let full = render(profile)
        #expect(full.droppedBullets.isEmpty)
        #expect(full.isComplete)
        let limit = full.text.unicodeScalars.count - 1
        let fragment = render(profile, maxChars: limit)
        #expect(fragment.text == header + "## A\n- one\n- two\n  - two detail\n## B\n- four\n" + footer)
        #expect(fragment.droppedBullets == ["three"])

        let two = header + "## A\n- two\n  - two detail\n## B\n- four\n" + footer
        let tighter = render(profile, maxChars: two.unicodeScalars.count)
        #expect(tighter.text == two)
        #expect(tighter.droppedBullets == ["one", "three"])
        #expect(tighter.reportLines().first == "left out 2 of 4 bullets to fit \(two.unicodeScalars.count) characters: 'one', 'three'")

        // The newest bullet goes with its nested lines or not at all; then only one fits.
        let one = render(profile, maxChars: two.unicodeScalars.count - 1)
        #expect(one.text == header + "## A\n- two\n  - two detail\n" + footer)
        #expect(one.droppedBullets == ["one", "three", "four"])
    }

    @Test func aThreeHundredBulletProfileKeepsBulletsInEverySectionNewestFirst() {
        let names = ["Personal Information", "Current Projects", "Interests", "Preferences"]
        let counts = [90, 120, 60, 30]
        var profile = "# User profile\n"
        for (name, count) in zip(names, counts) {
            profile += "\n## \(name)\n" + (1...count).map { "- \(name) fact \($0) of the user\n" }.joined()
        }
        let fragment = render(profile)
        #expect(fragment.totalBullets == 300)
        #expect(fragment.chars <= FragmentRenderer.defaultMaxChars)
        #expect(fragment.injectedBullets < 300)
        let injected = fragment.sections.map(\.injected)
        #expect(fragment.sections.map(\.name) == names)
        #expect(fragment.sections.map(\.bullets) == counts)
        // Every section is there, each with as many bullets as the others, give or take one.
        #expect(injected.allSatisfy { $0 > 0 })
        #expect(injected.max()! - injected.min()! <= 1)
        for (name, count) in zip(names, counts) {
            #expect(fragment.text.contains("## \(name)\n"))
            // The newest (last) bullet of each section is in; its oldest (first) is not.
            #expect(fragment.text.contains("- \(name) fact \(count) of the user\n"))
            #expect(!fragment.text.contains("- \(name) fact 1 of the user\n"))
        }
        #expect(fragment.summary.hasPrefix("\(fragment.injectedBullets) of 300 bullets injected ("))
    }

    @Test func theFragmentHoldsAsManyBulletsInRankingOrderAsFit() {
        // A's turns are short bullets, B's one turn a long one: the order is alpha 40, b…, alpha 39, …
        let profile = "## A\n" + (1...40).map { "- alpha \($0)\n" }.joined() + "## B\n- " + String(repeating: "b", count: 300) + "\n"
        let document = ProfileDocument(bytes: Array(profile.utf8))
        let order = BulletRanking.byPosition.order(document)
        #expect(order.prefix(3) == [39, 40, 38])
        let whole = render(profile).chars
        for limit in stride(from: 500, to: whole, by: 50) {
            let fragment = render(profile, maxChars: limit)
            #expect(fragment.chars <= limit)
            #expect(!fragment.isComplete)
            // The fragment is exactly the first `kept` of the order, and one more would not fit.
            let kept = fragment.injectedBullets
            func text(keeping k: Int) -> String {
                let keep = Set(order.prefix(k))
                let alphas = (0..<40).filter { keep.contains($0) }.map { "- alpha \($0 + 1)\n" }.joined()
                let bs = keep.contains(40) ? "## B\n- " + String(repeating: "b", count: 300) + "\n" : ""
                return k == 0 ? "" : header + (alphas.isEmpty ? "" : "## A\n" + alphas) + bs + footer
            }
            #expect(fragment.text == text(keeping: kept), "limit \(limit)")
            #expect(text(keeping: kept + 1).unicodeScalars.count > limit, "limit \(limit): one more bullet would have fitted")
        }
    }

    @Test func aBulletChangedMoreRecentlyRanksBeforeLaterOnesInItsSection() {
        let document = ProfileDocument(bytes: Array("## A\n- first\n- second\n- third\n## B\n- only\n".utf8))
        #expect(BulletRanking.byPosition.order(document) == [2, 3, 1, 0])
        let ranking = BulletRanking(lastChange: [0: 7, 1: 3])
        // first (the newest change), then second (a change), then third (none), B's turns between.
        #expect(ranking.order(document) == [0, 3, 1, 2])
        let limit = (header + "## A\n- first\n## B\n- only\n" + footer).unicodeScalars.count
        let fragment = FragmentRenderer.render(document, maxChars: limit, ranking: ranking)
        #expect(fragment.text == header + "## A\n- first\n## B\n- only\n" + footer)
        #expect(fragment.droppedBullets == ["second", "third"])
    }

    @Test func bulletsBeforeAnySectionAndUnderATitleAreGroupsOfTheirOwn() {
        let document = ProfileDocument(bytes: Array("- loose\n# Title\n- titled\n## S\n- s1\n### Sub\n- s2\n# Empty\n".utf8))
        let groups = BulletRanking.groups(document)
        #expect(groups.map(\.name) == [nil, "Title", "S"])
        #expect(groups.map(\.bullets) == [[0], [1], [2, 3]])
    }

    @Test func theSummaryJSONAndNoticeSayHowMuchWasInjected() {
        let profile = "## A\n- one\n- two\n## B\n- three\n"
        let whole = render(profile)
        #expect(whole.summary == "all 3 bullets injected (\(whole.chars) of 4000 characters)")
        #expect(whole.notice == nil)
        let limit = (header + "## A\n- two\n## B\n- three\n" + footer).unicodeScalars.count
        let part = render(profile, maxChars: limit)
        #expect(part.summary == "2 of 3 bullets injected (\(limit) of \(limit) characters; the least recently changed in each section are left out)")
        #expect(part.json.serialized() == #"{"bullets":3,"injected":2,"chars":\#(limit),"max_chars":\#(limit),"complete":false,"lines_left_out":0,"#
            + #""sections":[{"name":"A","bullets":2,"injected":1},{"name":"B","bullets":1,"injected":1}]}"#)
        // The notice names the budget and its variable but no counts, which change with every update.
        #expect(part.notice == "the profile has outgrown the fragment's \(limit)-character budget (LLM_MEMORY_MAX_CHARS): part of it is left out of prompts")
        #expect(render(profile + "- four\n", maxChars: limit).notice == part.notice)

        #expect(render("").summary == "nothing is injected (the profile has no content)")
        #expect(render("").notice == nil)
        let none = render(profile, maxChars: 10)
        #expect(none.summary == "0 of 3 bullets injected: nothing fits in 10 characters")
        #expect(none.sections.map(\.injected) == [0, 0])
        #expect(none.notice != nil)
    }

    @Test func theBudgetComesFromLLMMemoryMaxCharsAndOnlyAPositiveNumberIsAccepted() throws {
        #expect(try FragmentBudget.parse("6000", name: "X") == 6000)
        for bad in ["0", "-5", "4k", " 4000", "4,000", "", "99999999999999999999999"] {
            #expect(throws: MemError.self, "\(bad)") { try FragmentBudget.parse(bad, name: "X") }
        }
        do {
            _ = try FragmentBudget.parse("lots", name: "LLM_MEMORY_MAX_CHARS")
            Issue.record("accepted 'lots'")
        } catch {
            #expect(error.status == .usage)
            #expect(error.message == "LLM_MEMORY_MAX_CHARS must be a positive whole number of characters (got 'lots')")
        }
    }

    @Test func everyFragmentFitsItsLimitAndNeverCutsALine() {
        let profile = "# Me\n\nSome prose.\n\n## A\n- " + String(repeating: "é", count: 50) + "\n- 🎉 party\n## B\n- b1\n  more\n- b2\n"
        let fullLines = Set(render(profile).text.split(separator: "\n").map(String.init))
        for limit in stride(from: 1, through: 700, by: 7) {
            let fragment = render(profile, maxChars: limit)
            #expect(fragment.text.unicodeScalars.count <= limit)
            for line in fragment.text.split(separator: "\n") {
                #expect(fullLines.contains(String(line)))
            }
            if !fragment.text.isEmpty { #expect(fragment.text.hasPrefix(header)) }
        }
    }

    @Test func whenBulletsAreNotEnoughTrailingLinesGoWholeAndThatIsReported() {
        let profile = "# Me\n\nLine one of prose.\n\nLine two of prose.\n\n## A\n- bullet\n"
        let limit = (header + "# Me\n\nLine one of prose.\n" + footer).unicodeScalars.count
        let fragment = render(profile, maxChars: limit)
        #expect(fragment.text == header + "# Me\n\nLine one of prose.\n" + footer)
        #expect(fragment.droppedBullets == ["bullet"])
        #expect(fragment.droppedLines == 1)
        #expect(fragment.reportLines().count == 2)

        let nothing = render(profile, maxChars: 10)
        #expect(nothing.text.isEmpty)
        #expect(nothing.reportLines().last == "nothing fits in 10 characters; printing nothing")
    }

    @Test func theDefaultLimitIs4000CharactersAndTheNewestBulletsAreTheOnesKept() {
        let many = "## A\n" + (1...300).map { "- fact number \($0) about the user" }.joined(separator: "\n") + "\n"
        let fragment = render(many)
        #expect(fragment.maxChars == 4000)
        #expect(fragment.text.unicodeScalars.count <= 4000)
        #expect(!fragment.droppedBullets.isEmpty)
        #expect(fragment.droppedBullets.first == "fact number 1 about the user")
        #expect(fragment.text.contains("- fact number 300 about the user\n"))
        let report = fragment.reportLines()
        #expect(report.count == 1)
        #expect(report[0].hasPrefix("left out \(fragment.droppedBullets.count) of 300 bullets to fit 4000 characters: 'fact number 1 about the user', "))
        #expect(report[0].hasSuffix(" and \(fragment.droppedBullets.count - 10) more"))
    }
}
