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

    @Test func maxCharsDropsWholeBulletsFromTheEndUpwards() {
        let profile = "## A\n- one\n- two\n  - two detail\n## B\n- three\n- four\n"
        let full = render(profile)
        #expect(full.droppedBullets.isEmpty)
        let limit = full.text.unicodeScalars.count - 1
        let fragment = render(profile, maxChars: limit)
        #expect(fragment.text == header + "## A\n- one\n- two\n  - two detail\n## B\n- three\n" + footer)
        #expect(fragment.droppedBullets == ["four"])

        let tighter = render(profile, maxChars: (header + "## A\n- one\n- two\n  - two detail\n" + footer).unicodeScalars.count)
        #expect(tighter.text == header + "## A\n- one\n- two\n  - two detail\n" + footer)
        #expect(tighter.droppedBullets == ["three", "four"])
        #expect(tighter.reportLines(maxChars: 1).first == "dropped 2 bullets to fit --max-chars 1: 'three', 'four'")

        let nested = render(profile, maxChars: (header + "## A\n- one\n- two\n" + footer).unicodeScalars.count + 3)
        #expect(nested.text == header + "## A\n- one\n" + footer)
        #expect(nested.droppedBullets == ["two", "three", "four"])
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
        #expect(fragment.reportLines(maxChars: limit).count == 2)

        let nothing = render(profile, maxChars: 10)
        #expect(nothing.text.isEmpty)
        #expect(nothing.reportLines(maxChars: 10).last == "nothing fits in --max-chars 10; printing nothing")
    }

    @Test func theDefaultLimitIs4000Characters() {
        let many = "## A\n" + (1...300).map { "- fact number \($0) about the user" }.joined(separator: "\n") + "\n"
        let fragment = render(many)
        #expect(fragment.text.unicodeScalars.count <= 4000)
        #expect(!fragment.droppedBullets.isEmpty)
        #expect(fragment.droppedBullets.last == "fact number 300 about the user")
        #expect(fragment.text.contains("- fact number 1 about the user\n"))
        let report = fragment.reportLines(maxChars: 4000)
        #expect(report.count == 1)
        #expect(report[0].hasSuffix(" and \(fragment.droppedBullets.count - 10) more"))
    }
}
