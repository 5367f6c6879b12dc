import Testing
@testable import MemKit

/// What the update prompt shows the model of a profile too long to list whole, and the
/// consolidation it asks for when the profile has outgrown the fragment's budget.
@Suite struct ProfileListingTests {
    private func exchange(_ prompt: String) -> Exchange {
        Exchange(id: "a", conversation: "c", model: "m", datetime: "2026-11-01T00:00:00", prompt: prompt,
                 system: nil, fragments: [], response: "OK.", cursor: "r0.t1")
    }

    /// Four sections of `count` bullets each: "Interests fact 7 of the user".
    private func profile(_ count: Int) -> String {
        TestProfile.text(personal: (1...count).map { "Personal fact \($0) of the user" },
                         projects: (1...count).map { "Project fact \($0) of the user" },
                         interests: (1...count).map { "Interests fact \($0) of the user" },
                         preferences: (1...count).map { "Preference fact \($0) of the user" })
    }

    private func limits(profileChars: Int) -> UpdatePrompt.Limits {
        var limits = UpdatePrompt.Limits()
        limits.profileChars = profileChars
        return limits
    }

    @Test func aProfileThatFitsIsListedWholeInItsOrder() {
        let prompt = UpdatePrompt(exchanges: [exchange("I like tea")], profile: profile(3))
        #expect(prompt.user.contains("## Interests\n- Interests fact 1 of the user\n- Interests fact 2 of the user\n- Interests fact 3 of the user\n## Preferences"))
        #expect(!prompt.user.contains("not shown"))
    }

    @Test func overTheListingBudgetEverySectionShowsItsNewestBulletsNotTheFirstByPosition() {
        let prompt = UpdatePrompt(exchanges: [exchange("I like tea")], profile: profile(100), limits: limits(profileChars: 2000))
        for section in ["Personal", "Project", "Interests", "Preference"] {
            // The newest (last) bullet of each section is listed, the oldest is not.
            #expect(prompt.user.contains("- \(section) fact 100 of the user\n"), "\(section)")
            #expect(!prompt.user.contains("- \(section) fact 1 of the user\n"), "\(section)")
        }
        let hidden = prompt.user.split(separator: "\n").filter { $0.hasPrefix("[… ") && $0.hasSuffix(" more bullets of this section not shown …]") }
        #expect(hidden.count == 4)
        // Listed in document order.
        let numbers: [Int] = prompt.user.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("- Interests fact ") else { return nil }
            return Int(line.dropFirst("- Interests fact ".count).prefix { $0.isNumber })
        }
        #expect(!numbers.isEmpty)
        #expect(numbers == numbers.sorted())
    }

    @Test func aBulletTheBatchTalksAboutIsListedHoweverOldItIs() {
        var text = profile(100)
        text = text.replacingOccurrences(of: "- Interests fact 2 of the user\n", with: "- Plays the cello in an amateur orchestra\n")
        let quiet = UpdatePrompt(exchanges: [exchange("I like tea")], profile: text, limits: limits(profileChars: 2000))
        #expect(!quiet.user.contains("cello"))
        let prompt = UpdatePrompt(exchanges: [exchange("I gave up the cello last year")], profile: text, limits: limits(profileChars: 2000))
        #expect(prompt.user.contains("- Plays the cello in an amateur orchestra\n"))
    }

    @Test func theListingStaysWithinItsBudget() {
        let listing = ProfileListing(outline: ProfileOutline(parsing: profile(100)), names: UpdatePrompt.defaultSections,
                                     userText: "fact", budget: 1500, clean: { $0 })
        let shown = listing.sections.flatMap(\.shown)
        #expect(shown.map(\.unicodeScalars.count).reduce(0, +) <= 1500)
        #expect(shown.count + listing.sections.map(\.hidden).reduce(0, +) == 400)
        #expect(listing.sections.allSatisfy { !$0.shown.isEmpty })
    }

    @Test func anOverBudgetProfileAsksTheModelToConsolidateWithinWhatTheGuardAllows() throws {
        let text = profile(60)
        let fragment = FragmentRenderer.render(ProfileDocument(bytes: Array(text.utf8)))
        let consolidation = try #require(UpdatePrompt.Consolidation(fragment))
        #expect(consolidation.total == 240)
        #expect(consolidation.injected == fragment.injectedBullets)
        #expect(UpdatePrompt.Consolidation.maxRemovals < ReplyGuard.maxTakenAway)
        let prompt = UpdatePrompt(exchanges: [exchange("I like tea")], profile: text, consolidate: consolidation)
        #expect(prompt.user.contains("The profile has outgrown its budget: only \(consolidation.injected) of its 240 bullets fit in the 4000 characters"))
        #expect(prompt.user.contains("Take away at most 3 bullets this way in one answer"))
        #expect(prompt.user.hasSuffix("Answer with the JSON ops only, citing each op's exchange number as \"ex\"."))

        #expect(UpdatePrompt.Consolidation(FragmentRenderer.render(ProfileDocument(bytes: Array(profile(3).utf8)))) == nil)
        #expect(!UpdatePrompt(exchanges: [exchange("I like tea")], profile: profile(3)).user.contains("outgrown"))
    }
}
