import Testing
import TestKit
@testable import MemKit

private func add(_ section: String, _ text: String) -> DeltaOp { DeltaOp(kind: .add, section: section, text: text) }
private func replace(_ section: String, _ old: String, _ text: String) -> DeltaOp {
    DeltaOp(kind: .replace, section: section, text: text, old: old)
}
private func remove(_ section: String, _ old: String) -> DeltaOp { DeltaOp(kind: .remove, section: section, old: old) }

private func merge(_ text: String, _ ops: [DeltaOp]) -> (text: String, result: MergeResult) {
    let result = ProfileMerger.apply(Delta(ops: ops), to: ProfileDocument(bytes: Array(text.utf8)))
    return (result.document.text, result)
}

@Suite struct ProfileMergerTests {
    // MARK: add

    @Test func anAddGoesAfterTheSectionsLastBulletAndItsContinuationLines() {
        let (out, result) = merge("## Interests\n\n- Rust\n  - async\n- Go\n    more on Go\n\n## Other\n", [add("Interests", "Hiking")])
        #expect(out == "## Interests\n\n- Rust\n  - async\n- Go\n    more on Go\n- Hiking\n\n## Other\n")
        #expect(result.applied.count == 1 && result.changed)
    }

    @Test func anAddAlreadyPresentChangesNothing() {
        let input = "## Personal Information\n\n- Role: Rust developer.\n"
        let (out, result) = merge(input, [add("personal information", "rust developer"), add("Personal Information", "ROLE: rust  developer")])
        #expect(out == input)
        #expect(!result.changed)
        #expect(result.skipped.count == 2)
        #expect(result.skipped[0].detail.hasPrefix("already there"))
    }

    @Test func anAddToASectionWithoutBulletsFollowsTheHeadingWithABlankLine() {
        let (out, _) = merge(ProfileDocument.defaultText, [add("Interests", "Rust")])
        #expect(out == "# User profile\n\n## Personal Information\n\n## Current Projects\n\n## Interests\n\n- Rust\n\n## Preferences\n")
        let (last, _) = merge(ProfileDocument.defaultText, [add("Preferences", "Tabs")])
        #expect(last.hasSuffix("## Preferences\n\n- Tabs\n"))
    }

    @Test func aFileThatPutsBulletsRightUnderHeadingsGetsItsNewBulletsThereToo() {
        let (out, _) = merge("## A\n- x\n## B\n- y\n## C\n## D\n", [add("C", "z")])
        #expect(out == "## A\n- x\n## B\n- y\n## C\n- z\n## D\n")
    }

    @Test func anAddToAMissingSectionCreatesItAtTheEnd() {
        let (out, result) = merge("# Me\n\n## Interests\n\n- Rust\n", [add("Health", "Allergic to nuts")])
        #expect(out == "# Me\n\n## Interests\n\n- Rust\n\n## Health\n\n- Allergic to nuts\n")
        #expect(result.applied.first?.detail == "added (new section)")
    }

    @Test func aSectionIsCreatedOnlyUnderASaneHeading() {
        let long = String(repeating: "x", count: 61)
        for name in ["Bad # name", long, "two\nlines", "   ", "<!-- x"] {
            let (out, result) = merge("## A\n", [add(name, "text")])
            #expect(out == "## A\n")
            #expect(result.skipped.count == 1)
        }
        let (out, _) = merge("## A\n", [add(String(repeating: "y", count: 60), "text")])
        #expect(out.contains("## " + String(repeating: "y", count: 60) + "\n"))
    }

    @Test func sectionNamesMatchCaseAndSpacingInsensitivelyAndTheFirstDuplicateWins() {
        let (out, _) = merge("## My   Interests\n- a\n## my interests\n- b\n", [add("MY INTERESTS", "c")])
        #expect(out == "## My   Interests\n- a\n- c\n## my interests\n- b\n")
    }

    @Test func opTextIsOneLineWithoutAMarkerAndEmptyTextIsSkipped() {
        let (out, result) = merge("## A\n- x\n", [add("A", "- line one\n  line two\t end"), add("A", " \n "), add("A", "hide <!-- this")])
        #expect(out == "## A\n- x\n- line one line two end\n")
        #expect(result.skipped.map(\.detail).first == "empty text")
        #expect(result.skipped.count == 2)
    }

    @Test func newLinesUseTheFilesDominantEndingAndAMissingFinalNewlineStaysMissing() {
        let (crlf, _) = merge("## A\r\n- x\r\n\r\n## B\r\n- y", [add("A", "x2"), add("B", "y2"), add("C", "z")])
        // This file puts bullets right under headings, so the new section does too.
        #expect(crlf == "## A\r\n- x\r\n- x2\r\n\r\n## B\r\n- y\r\n- y2\r\n\r\n## C\r\n- z")
        let (lf, _) = merge("## A\n- x", [add("A", "y")])
        #expect(lf == "## A\n- x\n- y")
        let (heading, _) = merge("## A", [add("A", "y")])
        #expect(heading == "## A\n\n- y")
    }

    @Test func aLooseListStaysLoose() {
        let (out, _) = merge("## A\n\n- x\n\n- y\n\n## B\n", [add("A", "z")])
        #expect(out == "## A\n\n- x\n\n- y\n\n- z\n\n## B\n")
        let (removed, _) = merge(out, [remove("A", "y")])
        #expect(removed == "## A\n\n- x\n\n- z\n\n## B\n")
    }

    // MARK: replace

    @Test func aReplaceKeepsTheMarkerAndTheNestedLines() {
        let (out, result) = merge("## P\n* Role: JavaScript developer\n  - since 2019\n+ Other\n",
                                  [replace("P", "role: javascript developer", "Role: Rust developer")])
        #expect(out == "## P\n* Role: Rust developer\n  - since 2019\n+ Other\n")
        #expect(result.applied.first?.detail == "replaced")
    }

    @Test func aReplaceOfAWrappedItemMatchesItsWholeTextOrItsFirstLine() {
        let input = "## P\n- Works at Acme\n  as a tester\n- Other\n"
        let (whole, _) = merge(input, [replace("P", "works at acme as a tester", "Works at Acme as a lead")])
        #expect(whole == "## P\n- Works at Acme as a lead\n- Other\n")
        let (first, _) = merge(input, [replace("P", "Works at Acme", "Works at Initech")])
        #expect(first == "## P\n- Works at Initech\n  as a tester\n- Other\n")
    }

    @Test func aReplaceWhoseNewTextIsAlreadyThereRemovesTheOldBullet() {
        let (out, result) = merge("## P\n- Role: JS developer\n- Role: Rust developer\n", [replace("P", "Role: JS developer", "Role: Rust developer")])
        #expect(out == "## P\n- Role: Rust developer\n")
        #expect(result.applied.count == 1)
    }

    @Test func aReplaceWhoseOldIsGoneAddsItsText() {
        let (out, result) = merge("## P\n- a\n", [replace("P", "gone", "b")])
        #expect(out == "## P\n- a\n- b\n")
        #expect(result.applied.first?.detail == "added (nothing matched old)")
        let (created, _) = merge("## P\n- a\n", [replace("New", "gone", "b")])
        #expect(created == "## P\n- a\n\n## New\n- b\n")
    }

    @Test func aReplaceAlsoRemovesDuplicatesOfTheOldBullet() {
        let (out, _) = merge("## P\n- Likes tea\n- x\n- likes tea.\n", [replace("P", "Likes tea", "Likes coffee")])
        #expect(out == "## P\n- Likes coffee\n- x\n")
    }

    // MARK: remove

    @Test func opsOfOneDeltaApplyInOrderSoALaterOpCanChangeWhatAnEarlierOneAdded() {
        let start = ProfileDocument.defaultText
        let (replaced, first) = merge(start, [add("Personal Information", "Diet: vegetarian"),
                                              replace("Personal Information", "Diet: vegetarian", "Diet: pescatarian")])
        #expect(ProfileDocument(bytes: Array(replaced.utf8)).bullets.map(\.text) == ["Diet: pescatarian"])
        #expect(first.applied.count == 2)
        let (removed, _) = merge(start, [add("Interests", "Likes chess"), remove("Interests", "Likes chess")])
        #expect(removed == start)
        // Applying the same delta again changes nothing.
        let again = merge(replaced, [add("Personal Information", "Diet: vegetarian"),
                                     replace("Personal Information", "Diet: vegetarian", "Diet: pescatarian")])
        #expect(again.text == replaced)
    }

    @Test func aRemoveTakesTheBulletWithItsContinuationLines() {
        let (out, _) = merge("## I\n- Rust\n  - async\n\n  more\n- Go\n", [remove("I", "rust")])
        #expect(out == "## I\n- Go\n")
    }

    @Test func aRemoveOfAnAbsentBulletOrSectionIsSkippedAndReported() {
        let input = "## I\n- Rust\n"
        let (out, result) = merge(input, [remove("I", "Go"), remove("Nope", "Rust")])
        #expect(out == input)
        #expect(result.skipped.map(\.summary) == [
            "skipped remove in I: no bullet matches 'Go'",
            "skipped remove in Nope: no section named 'Nope'",
        ])
        #expect(ProfileMerger.reportLines(result).last == "applied 0 ops, skipped 2")
    }

    @Test func removingTheOnlyBulletLeavesTheSectionAsAnAddFoundIt() {
        let original = ProfileDocument.defaultText
        let (added, _) = merge(original, [add("Interests", "Rust")])
        let (removed, _) = merge(added, [remove("Interests", "Rust")])
        #expect(removed == original)
        let (lastAdded, _) = merge("## A\n\n- x", [add("A", "y")])
        let (lastRemoved, _) = merge(lastAdded, [remove("A", "y")])
        #expect(lastRemoved == "## A\n\n- x")
    }

    @Test func bulletsInsideCodeAndCommentsAreNeverTouched() {
        let input = "## A\n```\n- fake\n```\n<!--\n- hidden\n-->\n"
        let (out, result) = merge(input, [remove("A", "fake"), remove("A", "hidden"), add("A", "fake")])
        #expect(result.skipped.count == 2)
        #expect(out == "## A\n\n- fake\n\n```\n- fake\n```\n<!--\n- hidden\n-->\n")
    }

    @Test func aNewSectionAfterAnUnclosedFenceClosesTheFenceFirst() {
        let (out, result) = merge("## A\n~~~\ncode", [add("B", "x")])
        #expect(out == "## A\n~~~\ncode\n~~~\n\n## B\n\n- x")
        #expect(result.applied.count == 1)
        let (again, second) = merge(out, [add("B", "x")])
        #expect(again == out && !second.changed)
    }

    @Test func aMissingProfileStartsFromTheDefaultSections() {
        let result = ProfileMerger.apply(Delta(ops: [add("Current Projects", "Memory for llm")]), to: .default)
        #expect(result.document.sections.map(\.name) == ["Personal Information", "Current Projects", "Interests", "Preferences"])
        #expect(result.document.sections[1].bullets.map(\.text) == ["Memory for llm"])
    }

    // MARK: the user's file is kept

    static let fixture = [
        "\u{FEFF}# My profile",
        "",
        "Some prose about me, written by hand.",
        "",
        "<!-- keep this comment",
        "## Not a section",
        "- not a bullet",
        "-->",
        "",
        "## Interests",
        "",
        "- Rust",
        "  - especially async",
        "- Exploring transformer architectures",
        "* Hiking",
        "",
        "| Tool | Use |",
        "|------|-----|",
        "| jq   | JSON |",
        "",
        "## My Own Notes",
        "",
        "Free text the user keeps.",
        "",
        "```markdown",
        "## Fake heading",
        "- fake bullet",
        "```",
        "",
        "## Personal Information",
        "",
        "### Work",
        "+ Role: JavaScript developer",
        "    - since 2019",
        "",
        "## Current Projects",
        "- Writing a book",
    ].joined(separator: "\r\n")

    @Test func onlyTheBulletsNamedByOpsChangeInARichProfile() {
        let delta = Delta(ops: [
            add("Interests", "Cooking"),
            replace("personal information", "Role: JavaScript developer", "Role: Rust developer"),
            remove("Interests", "exploring transformer architectures"),
            add("Current Projects", "Memory for llm"),
            add("Health", "Allergic to nuts"),
            remove("Not a section", "not a bullet"),
            remove("My Own Notes", "fake bullet"),
            add("interests", "rust"),
        ])
        let before = ProfileDocument(bytes: Array(Self.fixture.utf8))
        let result = ProfileMerger.apply(delta, to: before)
        let after = result.document
        #expect(result.applied.count == 5)
        #expect(result.skipped.count == 3)

        let expected = [
            "\u{FEFF}# My profile", "", "Some prose about me, written by hand.", "",
            "<!-- keep this comment", "## Not a section", "- not a bullet", "-->", "",
            "## Interests", "", "- Rust", "  - especially async", "* Hiking", "- Cooking", "",
            "| Tool | Use |", "|------|-----|", "| jq   | JSON |", "",
            "## My Own Notes", "", "Free text the user keeps.", "",
            "```markdown", "## Fake heading", "- fake bullet", "```", "",
            "## Personal Information", "", "### Work", "+ Role: Rust developer", "    - since 2019", "",
            "## Current Projects", "- Writing a book", "- Memory for llm", "",
            "## Health", "", "- Allergic to nuts",
        ].joined(separator: "\r\n")
        #expect(after.text == expected)

        // Byte for byte: excise the changed lines on both sides and compare what is left.
        let removedBefore: Set<Int> = [13, 32]      // the removed bullet, the replaced line
        let insertedAfter: Set<Int> = [14, 32, 37, 38, 39, 40, 41]
        var keptBefore = before.lines.enumerated().filter { !removedBefore.contains($0.offset) }.map(\.element)
        let keptAfter = after.lines.enumerated().filter { !insertedAfter.contains($0.offset) }.map(\.element)
        // The old last line gained a line ending, as text appended after it must.
        #expect(keptBefore[keptBefore.count - 1].ending == .none)
        keptBefore[keptBefore.count - 1].ending = .crlf
        #expect(keptBefore == keptAfter)
        #expect(after.hasBOM && after.endsWithoutNewline)
    }

    // MARK: idempotence and preservation, over many deltas

    static let sectionNames = ["Interests", "interests", "Personal Information", "Current Projects", "Preferences",
                               "My Notes", "Health", "Work  Stuff", "Bad#Name", ""]
    static let texts = ["Rust", "rust.", "Role: Rust developer", "Role: Go developer", "Likes tea", "likes TEA",
                        "Hiking", "Writes C++", "Writes C", "Full-stack dev", "full stack dev", "x", "- dashed",
                        "multi\nline", "", "Building a memory add-on for llm", "**Bold** fact", "fake bullet"]

    static func randomProfile(_ rng: inout SplitMix64) -> String {
        var lines: [String] = []
        if Bool.random(using: &rng) { lines += ["# User profile", ""] }
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            lines.append("## " + ["Interests", "Personal Information", "Current Projects", "My Notes", "Preferences"].randomElement(using: &rng)!)
            if Bool.random(using: &rng) { lines.append("") }
            let loose = Int.random(in: 0..<4, using: &rng) == 0
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                switch Int.random(in: 0..<12, using: &rng) {
                case 0: lines += ["Some prose.", ""]
                case 1: lines += ["```", "- fake bullet", "## Fake", "```"]
                case 2: lines += ["<!-- note", "- hidden", "-->"]
                case 3: lines += ["| a | b |", "|---|---|"]
                case 4: lines += ["### Sub"]
                default:
                    lines.append(["-", "*", "+"].randomElement(using: &rng)! + " " + texts.filter { !$0.isEmpty && !$0.contains("\n") }.randomElement(using: &rng)!)
                    if Int.random(in: 0..<4, using: &rng) == 0 { lines.append("  - nested detail") }
                    if loose { lines.append("") }
                }
            }
            if Bool.random(using: &rng) { lines.append("") }
        }
        let ending = Int.random(in: 0..<4, using: &rng) == 0 ? "\r\n" : "\n"
        var text = lines.joined(separator: ending)
        if Bool.random(using: &rng) { text += ending }
        return text
    }

    static func randomDelta(_ rng: inout SplitMix64) -> Delta {
        var ops: [DeltaOp] = []
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            let section = sectionNames.randomElement(using: &rng)!
            let a = texts.randomElement(using: &rng)!
            let b = texts.randomElement(using: &rng)!
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: ops.append(add(section, a))
            case 1: ops.append(replace(section, a, b))
            default: ops.append(remove(section, a))
            }
        }
        return Delta(ops: ops)
    }

    @Test func applyingTheSameDeltaTwiceChangesNothingTheSecondTime() {
        var rng = SplitMix64(seed: 42)
        var unsettled = 0
        for _ in 0..<10000 {
            let profile = Self.randomProfile(&rng)
            let delta = Self.randomDelta(&rng)
            let once = ProfileMerger.apply(delta, to: ProfileDocument(bytes: Array(profile.utf8)))
            let twice = ProfileMerger.apply(delta, to: once.document)
            #expect(twice.document.text == once.document.text,
                    "profile:\n\(profile)\ndelta: \(delta.json.serialized())\nonce:\n\(once.document.text)\ntwice:\n\(twice.document.text)")
            if twice.document.bytes != once.document.bytes { return }
            // Most deltas need no settling at all: one pass is already stable.
            let (single, _) = ProfileMerger.pass(delta, ProfileDocument(bytes: Array(profile.utf8)), veto: nil)
            if ProfileMerger.pass(delta, single, veto: nil).0.bytes != single.bytes { unsettled += 1 }
        }
        #expect(unsettled < 10, "\(unsettled) of 10000 deltas needed settling")
    }

    @Test func linesOutsideBulletsSurviveEveryDeltaInOrder() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<3000 {
            let profile = Self.randomProfile(&rng)
            let delta = Self.randomDelta(&rng)
            let before = ProfileDocument(bytes: Array(profile.utf8))
            let after = ProfileMerger.apply(delta, to: before).document
            func outside(_ doc: ProfileDocument) -> [[UInt8]] {
                var inBullet = Set<Int>()
                for bullet in doc.bullets { inBullet.formUnion(bullet.block) }
                return doc.lines.indices.filter { !inBullet.contains($0) && doc.kinds[$0] != .blank }.map { doc.lines[$0].content }
            }
            let kept = outside(before)
            let now = outside(after)
            #expect(Array(now.prefix(kept.count)) == kept,
                    "profile:\n\(profile)\ndelta: \(delta.json.serialized())\nafter:\n\(after.text)")
            if Array(now.prefix(kept.count)) != kept { return }
        }
    }
}
