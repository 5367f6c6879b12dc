import Testing
@testable import MemKit

/// One typed prompt and what the gate must do with it: let it through to the model (it
/// could say something about the user) or drop it (no model call).
struct GateExample: Sendable, CustomTestStringConvertible {
    var prompt: String
    var passes: Bool

    var testDescription: String { "\(passes ? "passes" : "dropped"): \(prompt)" }

    static func pass(_ prompt: String) -> GateExample { GateExample(prompt: prompt, passes: true) }
    static func drop(_ prompt: String) -> GateExample { GateExample(prompt: prompt, passes: false) }
}

/// The gate, rule by rule (the numbered signs of `Gate`'s doc comment): for each rule,
/// prompts that carry only that sign and must reach the model, and near-misses that look
/// like it but carry no fact about the user and must cost no call. The corpus-wide
/// figures are in `GateTests`.
@Suite struct GateRuleTests {
    func check(_ example: GateExample, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Gate.mayDisclose(prompt: example.prompt) == example.passes, "\(example.testDescription)",
                sourceLocation: sourceLocation)
    }

    // MARK: 1. "I", "me", "my" outside task phrases

    static let firstPerson: [GateExample] = [
        .pass("I'm a nurse in Leeds."),
        .pass("I have two cats and a dog."),
        .pass("Portuguese is my native language."),
        .pass("I run a small bakery, what should I charge for sourdough?"),
        .pass("I changed jobs last month."),
        .pass("I got promoted to staff engineer!"),
        .pass("I'd prefer answers in metric units."),
        .pass("I really live on the command line."),
        .drop("How do I reverse a list in Python?"),
        .drop("Can I use async in a constructor?"),
        .drop("I get a TypeError when I import pandas."),
        .drop("I just need to rename every file in a folder."),
        .drop("Help me write a cover letter."),
        .drop("Give me three name ideas for a cat."),
        .drop("My code throws a NullPointerException."),
        .drop("My boss wants the report by Friday, make it formal."),
        .drop("I think the second answer is wrong."),
        .drop("I'm tired, just give me the command."),
        .drop("Is my regex right?"),
        .drop("What causes I/O errors on my_var?"),
    ]

    @Test(arguments: firstPerson)
    func aFirstPersonWordPassesUnlessItIsPartOfATaskPhrase(example: GateExample) {
        check(example)
    }

    // MARK: 2. remember / forget

    static let rememberOrForget: [GateExample] = [
        .pass("Remember: no peanuts, ever."),
        .pass("Remember that Thursday is the day off."),
        .pass("Forget that old address in Porto."),
        .pass("Don't forget that the dog is vegetarian too."),
        .drop("Remember to close the file handle."),
        .drop("Forget the previous answer and start over."),
        .drop("Remember this formula for the exam."),
        .drop("Forget it, the build works now."),
    ]

    @Test(arguments: rememberOrForget)
    func rememberAndForgetPassUnlessTheyAreAboutTheTaskAtHand(example: GateExample) {
        check(example)
    }

    // MARK: 3. Standing instructions

    static let standingInstructions: [GateExample] = [
        .pass("Always answer in French."),
        .pass("Please never use emojis."),
        .pass("From now on, use metric units."),
        .pass("Going forward, keep answers under 100 words."),
        .pass("In the future, cite your sources."),
        .pass("Whenever you write SQL, uppercase the keywords."),
        .pass("Each time you suggest a library, give its license."),
        .pass("Could you always show the command first?"),
        .drop("Never mind, it works now."),
        .drop("This function always returns null."),
        .drop("The loop never terminates, why?"),
        .drop("What happens in the future when the sun dies?"),
        .drop("Every time the cron job runs it fails."),
    ]

    @Test(arguments: standingInstructions)
    func aStandingInstructionPassesOnlyWhereItOpensAClauseOrIsAddressedToTheAssistant(example: GateExample) {
        check(example)
    }

    // MARK: 4. Self-description without "I"

    static let selfLabels: [GateExample] = [
        .pass("Rust dev here, what's a good first crate to write?"),
        .pass("Emacs user."),
        .pass("Paramedic here, what's a good watch for night shifts?"),
        .pass("Type 1 diabetic, which snacks are safe on a hike?"),
        .pass("Based in Lisbon; what's a good coworking space?"),
        .pass("As a nurse, which shoes are best for long shifts?"),
        .pass("As someone who hates YAML, which config format is nicer?"),
        .pass("Just joined a startup as their first engineer."),
        .pass("Switched from Windows to Linux last year; which distro for gaming?"),
        .pass("Moved to Berlin last month, what is the Anmeldung?"),
        .pass("name's Dave, by the way"),
        .drop("As a user, I want to reset the password."),
        .drop("Explain why the files moved to the new folder."),
        .drop("Why has the config migrated to TOML?"),
        .drop("The data moved from S3 to GCS overnight."),
        .drop("The company is based in Austin, draft an intro."),
        .drop("The function is based on a paper from 2019."),
        .drop("Call the API twice."),
    ]

    @Test(arguments: selfLabels)
    func aSelfLabelWithoutIPassesWhereItOpensAClause(example: GateExample) {
        check(example)
    }

    static let ownTeamOrHousehold: [GateExample] = [
        .pass("We live in Lisbon now."),
        .pass("We just moved to Utrecht."),
        .pass("We're based in Nairobi."),
        .pass("We use Terraform for everything."),
        .pass("We're a 3-person agency."),
        .pass("Our stack is Django and Postgres."),
        .pass("The team writes everything in Kotlin."),
        .pass("At work everything is Java 8."),
        .pass("My team owns billing."),
        .drop("If we migrated to Postgres, what would break?"),
        .drop("Imagine we're a startup with no funding."),
        .drop("Our meeting ran long, summarise the action items."),
        .drop("Our neighbour's dog barks all night, is that normal?"),
        .drop("The team meeting is at 3pm."),
        .drop("We have a list of dicts to sort by date."),
    ]

    @Test(arguments: ownTeamOrHousehold)
    func theUsersOwnTeamCompanyOrHouseholdPassesButASuppositionOrAPassingThingDoesNot(example: GateExample) {
        check(example)
    }

    static let howTheUserWantsAnswers: [GateExample] = [
        .pass("No emojis in your replies."),
        .pass("Using VS Code with Vim keys day to day."),
        .pass("Daily driver is a ThinkPad with Arch."),
        .pass("Je suis développeur à Montréal."),
        .pass("Respóndeme siempre en español."),
        .drop("What goes in your context window?"),
        .drop("What is the day after the 28th of February?"),
        .drop("Print the daily totals."),
    ]

    @Test(arguments: howTheUserWantsAnswers)
    func answerPreferencesSetupPhrasesAndOtherLanguagesFirstPersonPass(example: GateExample) {
        check(example)
    }

    // MARK: What the gate never reads

    static let notTheUsersOwnWords: [GateExample] = [
        .drop("```\nlet me = \"I am a nurse\"\n```"),
        .drop("> I'm a Rust developer\n\nwhat does this quote mean"),
        .drop("Summarize this: I live in Leeds and I love hiking."),
        .drop("How do you say \"I am vegetarian\" in Japanese?"),
        .drop("2024-05-01 12:00:03 INFO I am a log line from Lisbon"),
        .drop(""),
        .drop("   \n  "),
        .pass("I live in Leeds. Summarize this: the meeting notes."),
    ]

    @Test(arguments: notTheUsersOwnWords)
    func codeQuotationsPastedTextAndLogsAreNotTheUsersOwnWords(example: GateExample) {
        check(example)
    }

    @Test func aMissingPromptIsDropped() {
        #expect(!Gate.mayDisclose(prompt: nil))
    }
}
