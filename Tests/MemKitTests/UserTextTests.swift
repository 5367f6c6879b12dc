import Testing
@testable import MemKit

/// What counts as the user's own words in a typed prompt (`UserText.ownLines`): code,
/// logs, quotations and pasted text say nothing about the user, whatever "I" they hold.
@Suite struct UserTextTests {
    /// The kept lines, without the empty lines cut-outs leave behind.
    func kept(_ prompt: String) -> [String] {
        UserText.ownLines(prompt).filter { !$0.isEmpty }
    }

    @Test func aPlainPromptIsKeptLineByLineAndTrimmed() {
        #expect(UserText.ownLines("  I live in Leeds.  \nWhat should I see?") == ["I live in Leeds.", "What should I see?"])
    }

    @Test func aCutLeavesAnEmptyLineSoTheTextAroundItNeverReadsAsOneSentence() {
        #expect(UserText.ownLines("I am\n```\nlet x = 1\n```\na nurse") == ["I am", "", "", "", "a nurse"])
    }

    @Test func fencedCodeBlocksAreCutAtAnyIndentationAndAnUnclosedFenceRunsToTheEnd() {
        #expect(kept("Why?\n```swift\nlet me = \"I am a nurse\"\n```\nThanks") == ["Why?", "Thanks"])
        #expect(kept("Why?\n  ~~~\n  I live in Lisbon\n  ~~~\nThanks") == ["Why?", "Thanks"])
        #expect(kept("Look:\n````\n```\nI use Vim\n````\nok") == ["Look:", "ok"])
        #expect(kept("Fix it\n```\nI am a line of code\nI too") == ["Fix it"])
    }

    @Test func quotedAndIndentedLinesAreCut() {
        #expect(kept("> I'm a Rust developer\nwhat does this quote mean") == ["what does this quote mean"])
        #expect(kept("    I am an indented code line\n\tI am a tab-indented one\nexplain") == ["explain"])
    }

    static let codeOrLogLines = [
        "2024-05-01 12:00:03 INFO I am a log line from Lisbon",
        "Traceback (most recent call last):",
        "ERROR: I could not connect",
        "[WARN] I am deprecated",
        "TypeError: my_var is undefined",
        "at com.example.Main.run(Main.java:17)",
        "$ ls -la ~/my-dir",
        "def my_function(self):",
        "SELECT name FROM users WHERE id = 1;",
        "if (x == y) { return me; }",
        "drwxr-xr-x  2 me staff 64 May 1 my-dir",
        "I0501 12:03:45.123 server.go:42] started",
        "npm ERR! I could not resolve",
    ]

    @Test(arguments: codeOrLogLines)
    func aLineShapedLikeCodeOrALogIsCut(line: String) {
        #expect(kept("\(line)\nwhat does this mean") == ["what does this mean"])
    }

    @Test func aSentenceWithABitOfInlineCodeIsStillProse() {
        #expect(kept("why does my iterator need collect::<Vec<_>>() here in Rust?") == [
            "why does my iterator need collect::<Vec<_>>() here in Rust?",
        ])
        #expect(kept("Select the best option for me") == ["Select the best option for me"])
    }

    @Test func textAfterAnIntroductionIsPastedButTheIntroductionStays() {
        #expect(kept("Summarize this: I joined the company in 2019 and I love it.") == ["Summarize this"])
        #expect(kept("Translate to French: I live in Lisbon.") == ["Translate to French"])
        #expect(kept("Here is the email:\nI am a software engineer.\nBest, Ana") == ["Here is the email"])
        #expect(kept("Docker build log:\nI am step one\nI am step two") == ["Docker build log"])
        #expect(kept("What is this poem about?\n\nI wandered lonely as a cloud") == ["What is this poem about?"])
    }

    @Test func anIntroductionAboutTheUserIsNotPaste() {
        #expect(kept("Here is a bit about me: I live in Lisbon and I use Vim.") == [
            "Here is a bit about me: I live in Lisbon and I use Vim.",
        ])
        #expect(kept("For context, this is my setup: Arch, i3, Neovim.") == ["For context, this is my setup: Arch, i3, Neovim."])
        #expect(kept("Note: I'm vegetarian.") == ["Note: I'm vegetarian."])
        #expect(kept("message 0: I am a developer") == ["message 0: I am a developer"])
    }

    @Test func longTextBeforeAnInstructionThatRefersBackToItIsPasted() {
        let pasted = (1...4).map { "I am pasted line \($0) of someone's letter." }.joined(separator: "\n")
        #expect(kept(pasted + "\n\ntl;dr the above please") == ["tl;dr the above please"])
        // Short text before it is the user's own.
        #expect(kept("I live in Leeds.\nsummarize this for me") == ["I live in Leeds.", "summarize this for me"])
    }

    @Test func aLongParagraphIsPasted() {
        let nineLines = (1...9).map { "I am line \($0)" }.joined(separator: "\n")
        #expect(kept(nineLines + "\n\nI live in Leeds.") == ["I live in Leeds."])
        let long = String(repeating: "I am a very long sentence. ", count: 40)
        #expect(kept(long + "\n\nI use Vim.") == ["I use Vim."])
    }

    @Test func quotationsAndRedactionsBecomeOnePlaceholderEach() {
        let o = String(UserText.opaque)
        #expect(UserText.maskQuotations("How do you say \"I am vegetarian\" in Japanese?") == "How do you say \(o) in Japanese?")
        #expect(UserText.maskQuotations("the `my_var` and 'I live here' bits") == "the \(o) and \(o) bits")
        #expect(UserText.maskQuotations("my key is [REDACTED:openai-key] ok") == "my key is \(o) ok")
        // Apostrophes are not quotes; an unclosed quote is left alone.
        #expect(UserText.maskQuotations("I'm Ada's friend") == "I'm Ada's friend")
        #expect(UserText.maskQuotations("he said \"I am") == "he said \"I am")
    }

    @Test func typographicQuotesApostrophesAndLineEndingsReadAsPlainOnes() {
        #expect(UserText.normalized("I\u{2019}m \u{201C}here\u{201D}\r\nok\rdone\u{00A0}now") == "I'm \"here\"\nok\ndone now")
    }
}
