import Testing
@testable import MemKit

/// The offline extractor's rules for what `make eval` showed it missing, rule by rule:
/// each table holds prompts that must give their ops and near-misses that must give none
/// (or only the ops named), read against one profile as mem-propose reads it.
@Suite struct LocalExtractorRuleTests {
    static let profile = TestProfile.text(
        personal: ["Role: JavaScript developer", "Lives in Paris", "Works at Acme", "Uses Vim", "Diet: vegetarian",
                   "Pronouns: she/her", "Has two cats, Miso and Tofu", "Doesn't eat meat"],
        projects: ["Training for the Berlin marathon in September",
                   "Writing their PhD thesis on coral reef acoustics at the University of Bergen"],
        interests: ["Likes board games"],
        preferences: ["Always keep answers short"])

    /// A prompt and the ops it must give against `profile`, each shown as "add Section:
    /// text", "replace old → text" or "remove old"; none for a near-miss.
    struct Case: Sendable, CustomTestStringConvertible {
        var prompt: String
        var ops: [String]
        var testDescription: String { prompt }

        init(_ prompt: String, _ ops: String...) {
            self.prompt = prompt
            self.ops = ops
        }
    }

    static func shown(_ op: DeltaOp) -> String {
        switch op.kind {
        case .add: "add \(op.section): \(op.text ?? "")"
        case .replace: "replace \(op.old ?? "") → \(op.text ?? "")"
        case .remove: "remove \(op.old ?? "")"
        }
    }

    func check(_ rule: Case, sourceLocation: SourceLocation = #_sourceLocation) {
        let exchange = Exchange(id: "X", conversation: nil, model: nil, datetime: nil, prompt: rule.prompt, system: nil,
                                fragments: [], response: "", cursor: "r0.t1")
        let ops = LocalExtractor(profile: Self.profile).extract([exchange]).ops.map(Self.shown)
        #expect(ops == rule.ops, sourceLocation: sourceLocation)
    }

    // MARK: - Forgetting and taking back

    /// "forget …" reads a contraction as its words; a later clause may say it; a pronoun
    /// stands for an earlier "about …"; "I changed my mind about X" takes X back.
    static let forgetting: [Case] = [
        Case("Forget that I'm training for a marathon.", "remove Training for the Berlin marathon in September"),
        Case("Please forget that I've been training for the marathon", "remove Training for the Berlin marathon in September"),
        Case("forget that I don't eat meat", "remove Doesn't eat meat"),
        Case("I had to drop out, so forget that I'm training for a marathon.", "remove Training for the Berlin marathon in September"),
        Case("And you don't need to keep the bit about my cats either, please forget about them.", "remove Has two cats, Miso and Tofu"),
        Case("Actually, I've changed my mind about the short answers.", "remove Always keep answers short"),
        // What to forget ends with its clause: "lost" and "interest" name nothing to remove.
        Case("Forget that I don't eat meat, I've lost interest in being vegetarian.", "remove Doesn't eat meat"),
        // Near-misses.
        Case("Forget that I'm training for a triathlon."),
        Case("please forget about them"),
        Case("My code is wrong, forget it."),
        Case("I changed my mind, use Python instead."),
        Case("If you see my cats, forget about them."),
        Case("Forget the previous answer about marathons."),
    ]

    @Test(arguments: forgetting)
    func forgetReadsContractionsLaterClausesAndPronounsAndAChangeOfMindTakesBack(rule: Case) { check(rule) }

    // MARK: - Standing instructions

    /// "your answers/replies/sources" in a standing instruction is the user's preference
    /// about answers; a marker at the end of the instruction's own clause makes it standing.
    static let instructions: [Case] = [
        Case("Always keep your answers short and to the point.", "add Preferences: Always keep answers short and to the point"),
        Case("From now on, keep your replies brief.", "add Preferences: Always keep replies brief"),
        Case("Please make your answers shorter from now on, bullet points are fine.", "add Preferences: Always make answers shorter"),
        Case("Always cite your sources.", "add Preferences: Always cite sources"),
        Case("Never start your answers with a summary.", "add Preferences: Never start answers with a summary"),
        Case("please never use emojis in your responses to me", "add Preferences: Never use emojis"),
        // Near-misses.
        Case("Keep your answers short."),
        Case("Make your answers shorter, bullet points are fine from now on."),
        Case("Never say your name."),
        Case("Can you always keep your answers short?"),
        Case("Always introduce yourself."),
    ]

    @Test(arguments: instructions)
    func aStandingInstructionAboutYourAnswersIsAPreference(rule: Case) { check(rule) }

    // MARK: - Single-valued facts

    /// A diet and pronouns replace the bullet of their kind; a tool, OS or editor does not
    /// (people use several at once).
    static let singleValued: [Case] = [
        Case("I'm pescatarian now.", "replace Diet: vegetarian → Diet: pescatarian"),
        Case("I've started eating fish again, so I'm pescatarian now.", "replace Diet: vegetarian → Diet: pescatarian"),
        Case("I'm vegan.", "replace Diet: vegetarian → Diet: vegan"),
        Case("My pronouns are they/them.", "replace Pronouns: she/her → Pronouns: they/them"),
        // Near-misses.
        Case("I use Neovim.", "add Personal Information: Uses Neovim"),
        Case("I'm on Fedora.", "add Personal Information: Uses Fedora"),
        Case("My sister is vegan."),
        Case("Is a vegan diet healthy?"),
        Case("I'm not vegan."),
        Case("I'm vegetarian."),
    ]

    @Test(arguments: singleValued)
    func aDietAndPronounsReplaceTheirBulletAndToolsDoNot(rule: Case) { check(rule) }

    // MARK: - "We" of a household or a team

    /// "We live in / moved to a place" is where the user lives; "we use a known tool",
    /// "my/our team uses …" is the team's stack.
    static let we: [Case] = [
        Case("We live in Lisbon now!", "replace Lives in Paris → Lives in Lisbon"),
        Case("We moved to Lisbon last year.", "replace Lives in Paris → Lives in Lisbon"),
        Case("We've just moved to Melbourne, what should I know about renting?", "replace Lives in Paris → Lives in Melbourne"),
        Case("we're living in Porto these days", "replace Lives in Paris → Lives in Porto"),
        Case("My team uses Terraform and GCP for everything.", "add Personal Information: Team uses Terraform and GCP"),
        Case("Our company uses Slack and Notion.", "add Personal Information: Company uses Slack and Notion"),
        Case("We use Jira at work and I hate it.", "add Personal Information: Team uses Jira"),
        Case("we use terraform for everything infra-wise", "add Personal Information: Team uses Terraform"),
        Case("We migrated from Jenkins to GitLab CI in the spring.", "add Personal Information: Team uses GitLab CI"),
        Case("At work we use Python.", "add Personal Information: Team uses Python"),
        // Near-misses.
        Case("If we lived in Lisbon, would taxes be lower?"),
        Case("My parents live in Lisbon."),
        Case("They moved to Lisbon."),
        Case("We moved to the new office."),
        Case("Should we move to Lisbon?"),
        Case("Imagine we moved to Tokyo."),
        Case("We're based in Berlin."),
        Case("Then we use Bayes' theorem to update the prior."),
        Case("If we used Postgres, would it scale?"),
        Case("My friend's team uses Go."),
        Case("We use Postgres but it keeps crashing with an error."),
        Case("Our meeting uses Zoom."),
        Case("Our company uses my code in production."),
    ]

    @Test(arguments: we)
    func weLiveInOrMovedToAPlaceAndWhatTheTeamUses(rule: Case) { check(rule) }

    // MARK: - Adverbs

    /// Adverbs that do not change what is said may stand before the verb; guesses, hedges
    /// and the past may not.
    static let adverbs: [Case] = [
        Case("I finally switched from Vim to Neovim.", "replace Uses Vim → Uses Neovim"),
        Case("Finally I switched from Vim to Helix.", "replace Uses Vim → Uses Helix"),
        Case("I switched from Vim to Neovim over the weekend.", "replace Uses Vim → Uses Neovim"),
        Case("I eventually moved to Lisbon.", "replace Lives in Paris → Lives in Lisbon"),
        Case("I thankfully work at Globex now.", "replace Works at Acme → Works at Globex"),
        // Near-misses.
        Case("I previously lived in Lisbon."),
        Case("I probably use Emacs."),
        Case("I rarely use Emacs."),
        Case("I hopefully start at Google in May."),
    ]

    @Test(arguments: adverbs)
    func anAdverbThatChangesNothingMayStandBeforeTheVerb(rule: Case) { check(rule) }

    // MARK: - The employer's place

    /// "… at <employer> in <Place>": the place stays with the employer, not as `Lives in`.
    static let employerPlace: [Case] = [
        Case("I'm a frontend developer at a fintech startup in Berlin, mostly JavaScript and React.",
             "replace Role: JavaScript developer → Role: frontend developer",
             "replace Works at Acme → Works at a fintech startup in Berlin"),
        Case("I work at Google in Zurich.", "replace Works at Acme → Works at Google in Zurich"),
        Case("i work for a small agency in Leeds doing WordPress sites", "replace Works at Acme → Works for a small agency in Leeds"),
        Case("I work at Globex in the US as a PM.", "replace Works at Acme → Works at Globex in the US",
             "replace Role: JavaScript developer → Role: PM"),
        // Near-misses: no place after the employer.
        Case("I work at Acme in January."),
        Case("I work at Acme in the city centre."),
        Case("I'm a developer at a startup in Python.", "replace Role: JavaScript developer → Role: developer",
             "replace Works at Acme → Works at a startup"),
    ]

    @Test(arguments: employerPlace)
    func aPlaceAfterTheEmployerStaysWithIt(rule: Case) { check(rule) }

    // MARK: - Milestones

    /// Something begun reads as going on; a position taken gives the employer (and a role
    /// when named); a project submitted or finished leaves Current Projects.
    static let milestones: [Case] = [
        Case("I've started learning Japanese.", "add Interests: Learning Japanese"),
        Case("I started using Helix last month.", "add Personal Information: Uses Helix"),
        Case("I've accepted a postdoc at the University of Queensland in Brisbane, starting in January.",
             "replace Role: JavaScript developer → Role: postdoc",
             "replace Works at Acme → Works at the University of Queensland in Brisbane"),
        Case("I landed a developer job at Stripe.", "replace Role: JavaScript developer → Role: developer",
             "replace Works at Acme → Works at Stripe"),
        Case("I've accepted an offer from Stripe.", "replace Works at Acme → Works at Stripe"),
        Case("I started a new job at Globex.", "replace Works at Acme → Works at Globex"),
        Case("I submitted the thesis!", "remove Writing their PhD thesis on coral reef acoustics at the University of Bergen"),
        Case("I defended my PhD thesis last week.", "remove Writing their PhD thesis on coral reef acoustics at the University of Bergen"),
        // Near-misses.
        Case("I got a plumber to fix the sink."),
        Case("I got an offer from Stripe."),
        Case("I started a company."),
        Case("I started the build and it failed."),
        Case("I submitted the thesis form but got an error."),
        Case("Have I submitted the thesis?"),
        Case("I accepted the invite."),
        Case("I finished the board games chapter."),
    ]

    @Test(arguments: milestones)
    func somethingBegunAPositionTakenAndAProjectFinished(rule: Case) { check(rule) }

    // MARK: - Projects

    /// What a project is, not what it is about, decides whether it is a one-off task.
    static let projects: [Case] = [
        Case("I'm writing a book about incident response for small teams.",
             "add Current Projects: Writing a book about incident response for small teams"),
        Case("I'm building a tool that drafts email replies.", "add Current Projects: Building a tool that drafts email replies"),
        // Near-misses.
        Case("I'm writing an essay about game engines."),
        Case("I'm working on a bug in the parser."),
        Case("I'm writing documentation for our API."),
        Case("I'm working on a bunch of bugs."),
    ]

    @Test(arguments: projects)
    func aProjectIsJudgedByItsHeadNotByWhatItIsAbout(rule: Case) { check(rule) }

    // MARK: - Activities and household

    /// Languages spoken, pastimes played, people mentored, habits, pets and family.
    static let activities: [Case] = [
        Case("I speak Hindi, Marathi and English, if that helps.", "add Personal Information: Speaks Hindi, Marathi and English"),
        Case("I speak fluent German and some French.", "add Personal Information: Speaks fluent German and some French"),
        Case("I play the cello in an amateur orchestra.", "add Interests: Plays the cello in an amateur orchestra"),
        Case("I play chess with my son.", "add Interests: Plays chess with their son"),
        Case("I mentor two junior engineers on the team.", "add Personal Information: Mentors two junior engineers on the team"),
        Case("I go bouldering twice a week, and my forearms are sore.", "add Interests: Goes bouldering twice a week"),
        Case("I have a dog called Biscuit who hates the pager.", "add Personal Information: Has a dog called Biscuit"),
        Case("I've got two kids.", "add Personal Information: Has two kids"),
        Case("I play video games on weekends.", "add Interests: Plays video games on weekends"),
        // Near-misses.
        Case("I speak to my manager tomorrow."),
        Case("I speak Python fluently."),
        Case("I play the video and it freezes."),
        Case("I play a key role in the migration."),
        Case("I go looking for the logs every day."),
        Case("I go shopping tomorrow."),
        Case("I have a list of dicts."),
        Case("I have a cat allergy, what can I take?"),
        Case("I have a partner meeting at 3."),
        Case("I play games with the data until it fits."),
        Case("I have a question about my dog."),
        Case("My sister has two cats."),
        Case("I don't have a dog."),
        Case("I mentor him."),
        Case("I have two cats, Miso and Tofu."),
    ]

    @Test(arguments: activities)
    func languagesPastimesHabitsPetsAndFamily(rule: Case) { check(rule) }
}
