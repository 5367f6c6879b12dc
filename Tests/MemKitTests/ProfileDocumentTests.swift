import Testing
import TestKit
@testable import MemKit


/// Pieces of odd Markdown the generators assemble into documents.
enum OddMarkdown {
    static let lines: [String] = [
        "", " ", "\t", "# User profile", "#", "##", "## Interests", "##Interests", "## Interests ##",
        "  ## indented", "### Sub", "####### seven", "- a bullet", "* star bullet", "+ plus bullet",
        "-no space", "- ", "-", "- - -", "***", "  - nested", "    - deeper", "  continuation", "lazy prose",
        "1. ordered", "> quote", "| a | b |", "|---|---|", "```", "```swift", "~~~", "~~~~", "````",
        "<!--", "-->", "<!-- one line -->", "- bullet <!-- open", "text `<!--` code", "<details>",
        "Ünïcödé 🎉 text", "- Role: Rust developer", "## Personal Information", "## Current Projects",
        "trailing spaces   ", "\u{FEFF}inner bom", "tab\tinside",
    ]
    static let endings: [[UInt8]] = [[0x0A], [0x0D, 0x0A], [0x0D], [0x0A], [0x0A]]

    static func document(_ rng: inout SplitMix64, maxLines: Int = 30) -> [UInt8] {
        var bytes: [UInt8] = []
        if Int.random(in: 0..<10, using: &rng) == 0 { bytes += [0xEF, 0xBB, 0xBF] }
        let count = Int.random(in: 0...maxLines, using: &rng)
        for i in 0..<count {
            if Int.random(in: 0..<25, using: &rng) == 0 {
                // Raw bytes now and then: invalid UTF-8, NUL, stray CR.
                bytes += (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                    [0xFF, 0xC3, 0x00, 0x0D, 0x80, 0xE2][Int.random(in: 0..<6, using: &rng)]
                }
            } else {
                bytes += Array(lines.randomElement(using: &rng)!.utf8)
            }
            if i < count - 1 || Bool.random(using: &rng) {
                bytes += endings.randomElement(using: &rng)!
            }
        }
        return bytes
    }
}

@Suite struct ProfileDocumentTests {
    @Test func anUnmodifiedDocumentSerialisesToItsInputByteForByte() {
        let inputs: [[UInt8]] = [
            [], [0x0A], [0x0D, 0x0A], Array("a".utf8), Array("a\r".utf8), [0x0D], [0xEF, 0xBB, 0xBF],
            [0xEF, 0xBB, 0xBF] + Array("## X\r\n- y".utf8), Array("\n\n\n".utf8), Array("a\r\r\nb".utf8),
            Array("## A\r\n- x\n- y\r\n".utf8), [0xFF, 0xFE, 0x00, 0x0A, 0x80], Array("```\n## not\n".utf8),
            Array("<!--\n- hidden\n".utf8), [0xEF, 0xBB], Array("\r\n\r\n".utf8),
        ]
        for input in inputs {
            #expect(ProfileDocument(bytes: input).bytes == input)
        }
    }

    @Test func everyGeneratedOddDocumentRoundTripsExactly() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<2000 {
            let input = OddMarkdown.document(&rng)
            let doc = ProfileDocument(bytes: input)
            #expect(doc.bytes == input)
            #expect(doc.kinds.count == doc.lines.count)
        }
    }

    @Test func linesKeepTheirOwnEndings() {
        let doc = ProfileDocument(bytes: Array("a\r\nb\nc".utf8))
        #expect(doc.lines.map(\.ending) == [.crlf, .lf, .none])
        #expect(doc.lines.map(\.content) == [Array("a".utf8), Array("b".utf8), Array("c".utf8)])
        #expect(doc.endsWithoutNewline)
        #expect(ProfileDocument(bytes: Array("a\r\nb\r\nc\n".utf8)).dominantEnding == .crlf)
        #expect(ProfileDocument(bytes: Array("a\r\nb\nc\n".utf8)).dominantEnding == .lf)
    }

    @Test func levelTwoHeadingsStartSectionsAndSubHeadingsBelongToThem() {
        let doc = ProfileDocument(bytes: Array("""
            # Title
            - not in a section
            ## Interests ##
            - Rust
            ### Languages
            - Go
            # Another title
            - orphan
            ##   Personal   Information
            - Role: dev
            """.utf8))
        #expect(doc.sections.map(\.name) == ["Interests", "Personal   Information"])
        #expect(doc.sections[0].bullets.map(\.text) == ["Rust", "Go"])
        #expect(doc.sections[0].body == 3..<6)
        #expect(doc.sections[1].bullets.map(\.text) == ["Role: dev"])
        #expect(doc.bullets.map(\.text) == ["not in a section", "Rust", "Go", "orphan", "Role: dev"])
        #expect(doc.sectionIndex(named: "personal information") == 1)
        #expect(doc.sectionIndex(named: "  INTERESTS: ") == 0)
        #expect(doc.sectionIndex(named: "Interest") == nil)
    }

    @Test func linesInsideFencedCodeAreNeitherHeadingsNorBullets() {
        let doc = ProfileDocument(bytes: Array("""
            ## A
            ~~~~
            ## not a heading
            ```
            - not a bullet
            ~~~
            - still code
            ~~~~~
            - real
            ```swift
            - code
            ````
            """.utf8))
        #expect(doc.sections.map(\.name) == ["A"])
        #expect(doc.sections[0].bullets.map(\.text) == ["real"])
        #expect(doc.kinds[1] == .fence && doc.kinds[7] == .fence && doc.kinds[9] == .fence && doc.kinds[11] == .fence)
        #expect(doc.kinds[2] == .code && doc.kinds[5] == .code)
        #expect(doc.unclosedFence == nil)
    }

    @Test func anUnclosedFenceRunsToTheEndAndIsRemembered() {
        let doc = ProfileDocument(bytes: Array("## A\n````\n## B\n- x\n".utf8))
        #expect(doc.sections.count == 1)
        #expect(doc.unclosedFence == Array("````".utf8))
    }

    @Test func htmlCommentsHideHeadingsAndBulletsEvenOverSeveralLines() {
        let doc = ProfileDocument(bytes: Array("""
            <!-- a note -->
            ## A
            <!--
            ## hidden
            - hidden
            --> - after the comment
            - shown <!-- a remark -->

            text `<!--` in code
            - also shown
            """.utf8))
        #expect(doc.sections.map(\.name) == ["A"])
        #expect(doc.sections[0].bullets.map(\.text) == ["shown", "also shown"])
        #expect(doc.kinds[0] == .comment && doc.kinds[3] == .comment && doc.kinds[5] == .comment)
        #expect(!doc.endsInsideComment)
    }

    @Test func aBulletOwnsItsIndentedLazyAndNestedContinuationLines() {
        let doc = ProfileDocument(bytes: Array("""
            ## A
            - first line
              wrapped here
            lazily continued
              - nested item
                deeper

              after a blank, still the item
              ```
            - in code
              ```
            - second <!-- opens
            - inside the comment
            -->

            not indented: prose
            - third
            | table | row |
            """.utf8))
        let bullets = doc.sections[0].bullets
        #expect(bullets.map(\.text) == ["first line wrapped here lazily continued", "second", "third"])
        #expect(bullets[0].paragraph == 1..<4)
        #expect(bullets[0].block == 1..<11)
        #expect(bullets[1].block == 11..<14)
        #expect(bullets[2].block == 16..<17)
    }

    @Test func thematicBreaksAndMarkersWithoutSpaceAreNotBullets() {
        let doc = ProfileDocument(bytes: Array("## A\n- - -\n* * *\n-x\n+\n+ y\n".utf8))
        #expect(doc.sections[0].bullets.map(\.text) == ["y"])
    }

    @Test func aByteOrderMarkIsKeptAndDoesNotHideTheFirstHeading() {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("## First\r\n- x\r\n".utf8)
        let doc = ProfileDocument(bytes: input)
        #expect(doc.hasBOM)
        #expect(doc.sections.map(\.name) == ["First"])
        #expect(doc.bytes == input)
    }

    @Test func crlfLinesGiveCleanHeadingAndBulletText() {
        let doc = ProfileDocument(bytes: Array("## Interests \r\n- Rust  \r\n".utf8))
        #expect(doc.sections[0].name == "Interests")
        #expect(doc.sections[0].bullets[0].text == "Rust")
    }

    @Test func validationRefusesNulBytesInvalidUTF8AndHugeFiles() {
        #expect(throws: MemError.self) { try ProfileDocument(validating: Array("a\u{0}b".utf8)) }
        #expect(throws: MemError.self) { try ProfileDocument(validating: [0x61, 0xFF, 0x62]) }
        #expect(throws: MemError.self) { try ProfileDocument(validating: [0xE2, 0x82]) }
        let huge = [UInt8](repeating: 0x61, count: ProfileDocument.maxBytes + 1)
        do {
            _ = try ProfileDocument(validating: huge)
            Issue.record("a profile over 1 MiB was accepted")
        } catch {
            #expect(error.status == .dataError)
            #expect(error.message.contains("1 MiB"))
        }
        #expect((try? ProfileDocument(validating: Array("## ✓ fine\n- é\n".utf8))) != nil)
        #expect((try? ProfileDocument(validating: [0xEF, 0xBB, 0xBF] + Array("ok".utf8))) != nil)
    }

    @Test func theDefaultDocumentHasTheFourDefaultSectionsAndNoBullets() {
        let doc = ProfileDocument.default
        #expect(doc.sections.map(\.name) == ["Personal Information", "Current Projects", "Interests", "Preferences"])
        #expect(doc.bullets.isEmpty)
        #expect(doc.text == ProfileDocument.defaultText)
    }
}
