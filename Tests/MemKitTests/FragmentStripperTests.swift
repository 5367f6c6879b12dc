import Testing
@testable import MemKit

@Suite struct FragmentStripperTests {
    @Test func typedWordsEqualToAFragmentSurvive() {
        let text = "rust\n\nI like rust and rust likes me"
        #expect(FragmentStripper.typedPrompt(from: text, promptFragments: ["rust\n"]) == "I like rust and rust likes me")
    }

    @Test func aUnicodeFragmentEndingInACombiningMarkIsStrippedOnBytes() {
        // "e" + U+0301 is one Character; the typed text begins right after the mark.
        let fragment = "Zoe\u{301}"
        let text = fragment + "\n" + "\u{301}typed"
        #expect(FragmentStripper.typedPrompt(from: text, promptFragments: [fragment]) == "\u{301}typed")
    }

    @Test func severalFragmentsAreStrippedInOrderAndAFragmentOnlyCallLeavesNothing() {
        #expect(FragmentStripper.typedPrompt(from: "a\nb\n", promptFragments: ["a", "b\n"]) == "")
        #expect(FragmentStripper.typedPrompt(from: "a\nb\nhi", promptFragments: ["a", "b"]) == "hi")
    }

    @Test func aPromptThatDoesNotStartWithTheFragmentIsLeftAlone() {
        #expect(FragmentStripper.typedPrompt(from: "hello", promptFragments: ["other"]) == "hello")
    }

    @Test func leadingNewlinesTheUserTypedAreKept() {
        // "f\n" + the "\n" join + what was typed, "\nhi"
        #expect(FragmentStripper.typedPrompt(from: "f\n\n\nhi", promptFragments: ["f\n"]) == "\nhi")
    }

    @Test func systemFragmentsAreStrippedWithTheirBlankLineSeparator() {
        let text = "sys frag\n\nprofile\n\nBe brief."
        #expect(FragmentStripper.typedSystem(from: text, systemFragments: ["profile\n", " sys frag\n"]) == "Be brief.")
        #expect(FragmentStripper.typedSystem(from: "sys frag", systemFragments: ["sys frag\n"]) == "")
    }

    @Test func aSystemTextThatMerelyStartsLikeAFragmentIsKept() {
        #expect(FragmentStripper.typedSystem(from: "sys fragments matter", systemFragments: ["sys frag"]) == "sys fragments matter")
    }

    @Test func theMemoryBlockIsCutWithItsSeparator() {
        let block = "\(MemoryMarker.begin)\nAbout the user\n- Rust\n\(MemoryMarker.end)"
        #expect(MemoryMarker.removingBlock(block + "\n\nBe brief.") == "Be brief.")
        #expect(MemoryMarker.removingBlock("Be brief.\n\n" + block) == "Be brief.")
        #expect(MemoryMarker.removingBlock("no marker here\n") == "no marker here\n")
    }
}
