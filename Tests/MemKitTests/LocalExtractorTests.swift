import Testing
@testable import MemKit

@Suite struct LocalExtractorTests {
    static let profile = TestProfile.text(
        personal: ["Role: JavaScript developer", "Lives in Paris", "Works at Acme", "Uses Vim"],
        projects: ["Building a static site generator"], interests: ["Interested in crypto"],
        preferences: ["Prefers short answers"])

    func exchange(_ prompt: String?, id: String = "01EX", response: String = "Sure!", system: String? = nil) -> Exchange {
        Exchange(id: id, conversation: "c", model: "gpt-4o-mini", datetime: nil, prompt: prompt, system: system,
                 fragments: [], response: response, cursor: "r0.t1")
    }

    func ops(_ prompt: String, profile: String = "") -> [DeltaOp] {
        LocalExtractor(profile: profile).extract([exchange(prompt)]).ops
    }

    /// The texts of the adds, as "Section: text".
    func adds(_ prompt: String, profile: String = "") -> [String] {
        ops(prompt, profile: profile).filter { $0.kind == .add }.map { "\($0.section): \($0.text ?? "")" }
    }

    func nothing(_ prompts: [String], profile: String = profile, sourceLocation: SourceLocation = #_sourceLocation) {
        for prompt in prompts {
            let found = ops(prompt, profile: profile)
            #expect(found.isEmpty, "\(prompt) → \(found.map { "\($0.kind.rawValue) \($0.text ?? $0.old ?? "")" })",
                    sourceLocation: sourceLocation)
        }
    }

    // MARK: - Each pattern

    @Test func aNameComesFromMyNameIsCallMeIAmCalledAndAGreeting() {
        #expect(adds("My name is Ada, by the way.") == ["Personal Information: Name: Ada"])
        #expect(adds("my name's priya lovelace and I'm new to programming") == ["Personal Information: Name: Priya Lovelace"])
        #expect(adds("call me Sam from now on") == ["Personal Information: Name: Sam"])
        #expect(adds("Please call me Dr. Okafor in your replies.") == ["Personal Information: Name: Dr. Okafor"])
        #expect(adds("I'm called Bea, not Beatrice.") == ["Personal Information: Name: Bea"])
        #expect(adds("Hi, I'm Tomasz. Can you help me plan a trip?") == ["Personal Information: Name: Tomasz"])
    }

    @Test func iAmFollowedByAnythingButANameAfterAGreetingIsNotAName() {
        nothing(["I'm tired.", "I'm Spanish.", "Hi, I'm tired of this bug", "call me later", "Call me maybe?",
                 "my name is not important", "I'm Ada's manager"])
    }

    @Test func aRoleIsANounPhraseEndingInARoleWord() {
        #expect(adds("I'm a Rust developer") == ["Personal Information: Role: Rust developer"])
        #expect(adds("I am an iOS engineer.") == ["Personal Information: Role: iOS engineer"])
        #expect(adds("im a backend engineer, mostly python and go") == ["Personal Information: Role: backend engineer"])
        #expect(adds("I’m a UX designer — can you explain what a design token is?") == ["Personal Information: Role: UX designer"])
        #expect(adds("As a high school teacher, I need ideas for teaching fractions.")
            == ["Personal Information: Role: high school teacher"])
        #expect(adds("I’ve been a teacher for 20 years and I want a change.") == ["Personal Information: Role: teacher"])
        #expect(adds("By profession I'm an accountant.") == ["Personal Information: Role: accountant"])
    }

    @Test func workAsAndMyJobIsTakeAnyShortRole() {
        #expect(adds("I work as a freelance illustrator, how should I price a book cover?")
            == ["Personal Information: Role: freelance illustrator"])
        #expect(adds("my job is mostly data engineering these days") == ["Personal Information: Role: data engineering"])
        #expect(adds("I'm employed as a paralegal.") == ["Personal Information: Role: paralegal"])
    }

    @Test func statesThatAreNotRolesAndEvaluativeRolesAreNotStored() {
        nothing(["I'm a beginner.", "I'm a morning person", "I'm a bit tired today", "I'm a terrible developer",
                 "I'm a good cook", "I'm a former teacher", "I'm a big kid at heart"])
    }

    @Test func anEmployerComesFromWorkAtOrForAndFromARoleAtACompany() {
        #expect(adds("I work at Shopify on the checkout team.") == ["Personal Information: Works at Shopify"])
        #expect(adds("i work for a small agency in Leeds doing WordPress sites")
            == ["Personal Information: Works for a small agency in Leeds"])
        #expect(adds("I'm employed by the NHS as a pharmacist.")
            == ["Personal Information: Works for the NHS", "Personal Information: Role: pharmacist"])
        #expect(adds("I'm a software engineer at Spotify, how do I prepare for a promotion?")
            == ["Personal Information: Role: software engineer", "Personal Information: Works at Spotify"])
        #expect(adds("I work in healthcare.") == ["Personal Information: Works in healthcare"])
        nothing(["I work at night.", "I work from home on Fridays", "I work at home"], profile: "")
    }

    @Test func aPlaceIsCapitalisedAndGivesLivesInOrFrom() {
        #expect(adds("I live in Berlin, what are good day trips?") == ["Personal Information: Lives in Berlin"])
        #expect(adds("I'm based in Toronto, so please use metric units.") == ["Personal Information: Lives in Toronto"])
        #expect(adds("I live in Lisbon, Portugal.") == ["Personal Information: Lives in Lisbon, Portugal"])
        #expect(adds("Context: I am located in Singapore (UTC+8).") == ["Personal Information: Lives in Singapore"])
        #expect(adds("I'm from Brazil but I live in Porto now.")
            == ["Personal Information: From Brazil", "Personal Information: Lives in Porto"])
        #expect(adds("As someone who lives in Norway, when are the northern lights best?")
            == ["Personal Information: Lives in Norway"])
        #expect(adds("I live in São Paulo") == ["Personal Information: Lives in São Paulo"])
        nothing(["I live in a small town", "I'm from the future", "I live in fear of merge conflicts"], profile: "")
    }

    @Test func toolsAndLanguagesGoToPersonalInformationAsUses() {
        #expect(adds("I use Neovim with lazy.nvim, how do I add a plugin?") == ["Personal Information: Uses Neovim"])
        #expect(adds("I code in Python and Julia, mostly for simulations.") == ["Personal Information: Uses Python and Julia"])
        #expect(adds("i program mainly in kotlin for android") == ["Personal Information: Uses Kotlin"])
        #expect(adds("I'm on macOS, how do I install Homebrew?") == ["Personal Information: Uses macOS"])
        #expect(adds("My editor is VS Code and my shell is fish.")
            == ["Personal Information: Uses VS Code", "Personal Information: Uses fish"])
        #expect(adds("I write Go at work and Rust for fun.") == ["Personal Information: Uses Go"])
        #expect(adds("I’m using Obsidian for all my notes.") == ["Personal Information: Uses Obsidian"])
        nothing(["I use it every day", "I use this function a lot", "I write poetry", "I'm on vacation",
                 "I use up all my memory"], profile: "")
    }

    @Test func projectsAreThingsBeingBuiltOrWrittenButNotOneOffTasks() {
        #expect(adds("I'm building a memory add-on for llm in Swift.")
            == ["Current Projects: Building a memory add-on for llm in Swift"])
        #expect(adds("I am working on a home automation system with a Raspberry Pi.")
            == ["Current Projects: Working on a home automation system with a Raspberry Pi"])
        #expect(adds("My side project is a recipe app for people with allergies.")
            == ["Current Projects: Side project: a recipe app for people with allergies"])
        #expect(adds("I'm writing a novel set in 1970s Lagos.") == ["Current Projects: Writing a novel set in 1970s Lagos"])
        #expect(adds("Currently I'm developing a browser extension that blocks trackers.")
            == ["Current Projects: Developing a browser extension"])
        #expect(adds("my team and I are building an internal dashboard in React")
            == ["Current Projects: Building an internal dashboard in React"])
        #expect(adds("I'm working on my master's thesis about graph neural networks.")
            == ["Current Projects: Working on their master's thesis about graph neural networks"])
        #expect(adds("I've been building a compiler for a toy language in OCaml.")
            == ["Current Projects: Building a compiler for a toy language in OCaml"])
        #expect(adds("I'm learning Japanese and I practise every day.") == ["Interests: Learning Japanese"])
        nothing(["I'm writing a function that parses dates", "I'm writing an email to my landlord",
                 "I'm working on a bug in the parser", "I'm building this for a client, is it ok?",
                 "I'm making dinner", "I'm working on it"], profile: "")
    }

    @Test func likesInterestsDislikesAndPreferences() {
        #expect(adds("I love hiking and photography.") == ["Interests: Likes hiking and photography"])
        #expect(adds("I really enjoy functional programming.") == ["Interests: Likes functional programming"])
        #expect(adds("I'm really into mechanical keyboards.") == ["Interests: Likes mechanical keyboards"])
        #expect(adds("I like Rust very much") == ["Interests: Likes Rust"])
        #expect(adds("I'm a big fan of Brandon Sanderson, recommend similar authors.")
            == ["Interests: Likes Brandon Sanderson"])
        #expect(adds("I'm interested in distributed systems.") == ["Interests: Interested in distributed systems"])
        #expect(adds("I don't like Java.") == ["Preferences: Dislikes Java"])
        #expect(adds("I hate long-winded answers.") == ["Preferences: Dislikes long-winded answers"])
        #expect(adds("I can't stand YAML, is there a better config format?") == ["Preferences: Dislikes YAML"])
        #expect(adds("I'm not a fan of ORMs, show me raw SQL please.") == ["Preferences: Dislikes ORMs"])
        #expect(adds("I prefer short answers.", profile: "") == ["Preferences: Prefers short answers"])
        #expect(adds("I prefer tabs over spaces.") == ["Preferences: Prefers tabs over spaces"])
        nothing(["I like this answer", "I love it when the tests pass", "I like your idea", "I'd like a summary",
                 "I would love a longer version", "I'd prefer the second option", "I like how this reads",
                 "I hate it when that happens", "I prefer the first one"], profile: "")
    }

    @Test func standingInstructionsBecomeAlwaysAndNeverBullets() {
        #expect(adds("Please always answer in French.") == ["Preferences: Always answer in French"])
        #expect(adds("Always use British spelling in your replies.") == ["Preferences: Always use British spelling"])
        #expect(adds("Never use emojis when answering me.") == ["Preferences: Never use emojis"])
        #expect(adds("From now on, answer with code first.") == ["Preferences: Always answer with code first"])
        #expect(adds("please give me metric units from now on") == ["Preferences: Always give metric units"])
        #expect(adds("don't ever use semicolons in JavaScript examples")
            == ["Preferences: Never use semicolons in JavaScript examples"])
        nothing(["Always returns null, why?", "never mind", "answer in French", "Please keep it short",
                 "This function never terminates"], profile: "")
    }

    @Test func switchingReplacesTheBulletThatMentionsTheOldThingInItsSection() {
        let vim = ops("I switched from Vim to Neovim last year.", profile: Self.profile)
        #expect(vim == [DeltaOp(kind: .replace, section: "Personal Information", text: "Uses Neovim", old: "Uses Vim", source: "01EX")])
        let js = ops("I've switched from JavaScript to TypeScript for everything.", profile: Self.profile)
        #expect(js == [DeltaOp(kind: .replace, section: "Personal Information", text: "Role: TypeScript developer",
                               old: "Role: JavaScript developer", source: "01EX")])
        let moved = ops("I moved from Paris to Lisbon.", profile: Self.profile)
        #expect(moved == [DeltaOp(kind: .replace, section: "Personal Information", text: "Lives in Lisbon", old: "Lives in Paris",
                                  source: "01EX")])
        // Nothing mentions the old thing: an add of the new one.
        #expect(adds("I migrated from Heroku to Fly.io.", profile: Self.profile) == ["Personal Information: Uses Fly.io"])
        #expect(adds("I switched to Linux last month, which distro is good for gaming?")
            == ["Personal Information: Uses Linux"])
    }

    @Test func movingToAPlaceReplacesTheLocationBullet() {
        let found = ops("I moved to Denver last month and I'm looking for hiking trails.", profile: Self.profile)
        #expect(found == [DeltaOp(kind: .replace, section: "Personal Information", text: "Lives in Denver",
                                  old: "Lives in Paris", source: "01EX")])
    }

    @Test func singleValuedFactsReplaceTheExistingBulletAndKnownFactsGiveNoOp() {
        let role = ops("I'm a Rust developer and I live in Lisbon", profile: Self.profile)
        #expect(role == [
            DeltaOp(kind: .replace, section: "Personal Information", text: "Role: Rust developer", old: "Role: JavaScript developer",
                    source: "01EX"),
            DeltaOp(kind: .replace, section: "Personal Information", text: "Lives in Lisbon", old: "Lives in Paris", source: "01EX"),
        ])
        nothing(["I'm a JavaScript developer.", "I live in Paris", "I use vim", "I prefer short answers!"])
    }

    @Test func rememberThatAddsTheFactReadByThePatternsOrInTheThirdPerson() {
        #expect(adds("Remember that I'm allergic to peanuts.") == ["Personal Information: Allergic to peanuts"])
        #expect(adds("remember: I have two cats, Miso and Tofu") == ["Personal Information: Has two cats, Miso and Tofu"])
        #expect(adds("Remember that my birthday is on 3 May.") == ["Personal Information: Birthday is on 3 May"])
        #expect(adds("remember that I live in Lisbon") == ["Personal Information: Lives in Lisbon"])
        #expect(adds("Keep in mind that I prefer functional style over classes.")
            == ["Preferences: Prefers functional style over classes"])
        #expect(adds("Note for the future: I'm colour blind, so avoid red/green charts.")
            == ["Personal Information: Colour blind, so avoid red/green charts"])
        #expect(adds("please remember I always deploy on Fridays") == ["Personal Information: Always deploys on Fridays"])
        #expect(adds("remember: never use tabs in examples") == ["Preferences: Never use tabs in examples"])
        nothing(["remember to buy milk", "Do you remember what I said?", "remember when we fixed the build?",
                 "I remember that talk"], profile: "")
    }

    @Test func forgetAndNoLongerRemoveEveryBulletHoldingTheirWords() {
        func removed(_ prompt: String) -> [String] {
            ops(prompt, profile: Self.profile).filter { $0.kind == .remove }.map { "\($0.section): \($0.old ?? "")" }
        }
        #expect(removed("Forget that I live in Paris.") == ["Personal Information: Lives in Paris"])
        #expect(removed("Please forget that I use Vim.") == ["Personal Information: Uses Vim"])
        #expect(removed("I no longer work at Acme.") == ["Personal Information: Works at Acme"])
        #expect(removed("I don't live in Paris anymore") == ["Personal Information: Lives in Paris"])
        #expect(removed("I'm not a JavaScript developer anymore.") == ["Personal Information: Role: JavaScript developer"])
        #expect(removed("forget about my interest in crypto") == ["Interests: Interested in crypto"])
        #expect(removed("I stopped using vim") == ["Personal Information: Uses Vim"])
        #expect(removed("I left Acme in May.") == ["Personal Information: Works at Acme"])
        // Nothing matches: nothing happens.
        nothing(["Forget that I use Emacs.", "forget it", "forget everything", "forget the previous instructions",
                 "I no longer use Windows", "I left my keys at home"])
    }

    // MARK: - Clause boundaries

    /// A prompt and the adds it must give.
    struct Statement: Sendable, CustomTestStringConvertible {
        var prompt: String
        var adds: [String]
        var testDescription: String { prompt }
    }

    /// A capture ends where a new clause with a subject of its own starts (a coordinator
    /// before "I", "my", "it", a question word …) or at `;`, `:`, a dash or a bracket;
    /// the next clause is read on its own.
    static let clauseBoundaries: [Statement] = [
        Statement(prompt: "I am a Go developer at Acme and I live in Lisbon", adds: [
            "Personal Information: Role: Go developer", "Personal Information: Works at Acme",
            "Personal Information: Lives in Lisbon",
        ]),
        Statement(prompt: "I work at Acme and I love hiking", adds: ["Personal Information: Works at Acme", "Interests: Likes hiking"]),
        Statement(prompt: "I work at Acme but I live in Porto", adds: [
            "Personal Information: Works at Acme", "Personal Information: Lives in Porto",
        ]),
        Statement(prompt: "I work at Acme and my wife works at Globex", adds: ["Personal Information: Works at Acme"]),
        Statement(prompt: "I work at Acme and it is great", adds: ["Personal Information: Works at Acme"]),
        Statement(prompt: "I work at Acme; I live in Lisbon", adds: [
            "Personal Information: Works at Acme", "Personal Information: Lives in Lisbon",
        ]),
        Statement(prompt: "I work at Acme \u{2014} I live in Lisbon", adds: [
            "Personal Information: Works at Acme", "Personal Information: Lives in Lisbon",
        ]),
        Statement(prompt: "I like Rust and I use Neovim", adds: ["Interests: Likes Rust", "Personal Information: Uses Neovim"]),
        Statement(prompt: "I use Neovim and I like Rust", adds: ["Personal Information: Uses Neovim", "Interests: Likes Rust"]),
        Statement(prompt: "I'm building a CLI in Rust and it uses SQLite", adds: ["Current Projects: Building a CLI in Rust"]),
        Statement(prompt: "Always answer in French and I prefer short answers", adds: ["Preferences: Always answer in French"]),
        Statement(prompt: "Always answer in French - short answers are fine", adds: ["Preferences: Always answer in French"]),
        Statement(prompt: "I no longer work at Acme and I live in Lisbon", adds: ["Personal Information: Lives in Lisbon"]),
        Statement(prompt: "I don't use Windows anymore, I switched to Linux", adds: ["Personal Information: Uses Linux"]),
        // Not a new clause: the capture goes on.
        Statement(prompt: "I work at Procter and Gamble", adds: ["Personal Information: Works at Procter and Gamble"]),
        Statement(prompt: "I love hiking and photography", adds: ["Interests: Likes hiking and photography"]),
        Statement(prompt: "I live in Lisbon, Portugal and I work remotely", adds: [
            "Personal Information: Lives in Lisbon, Portugal", "Personal Information: Works remotely",
        ]),
    ]

    @Test(arguments: clauseBoundaries)
    func aCaptureEndsWhereANewClauseWithItsOwnSubjectStarts(statement: Statement) {
        #expect(adds(statement.prompt) == statement.adds)
    }

    // MARK: - What it must not store

    @Test func questionsGiveNothingButAStatementBeforeTheQuestionCounts() {
        nothing(["am I a good developer?", "What should I use if I'm a beginner?", "Am I too old to learn piano at 40?",
                 "How do I tell my manager I'm burning out?", "Do I need a degree to become a data scientist?",
                 "is it true that I live in the best city?", "So I'm a senior dev?"], profile: "")
        #expect(adds("I'm a nurse, how do I explain this to patients?") == ["Personal Information: Role: nurse"])
        #expect(adds("I'm a Go developer — how do I write a generic Map function?") == ["Personal Information: Role: Go developer"])
    }

    @Test func hypotheticalsGiveNothing() {
        nothing(["If I were a doctor, what would my typical day look like?",
                 "Suppose I'm a junior developer joining a big team.", "Imagine I live in Tokyo.",
                 "as if I were a pirate, describe a sunset", "Pretend I'm your manager and give me feedback.",
                 "Let's say I'm a startup founder with $50k.", "Assume I'm a complete beginner.",
                 "hypothetically, if I quit my job tomorrow, I'd move to Lisbon", "What if I moved to Canada?",
                 "I wish I was a Rust developer", "Maybe I'm a designer at heart"], profile: "")
    }

    @Test func thingsSaidAboutOtherPeopleGiveNothing() {
        nothing(["My friend is a doctor and she says I should drink more water.",
                 "He is a Rust developer and wants to learn Swift.", "My boss likes Go.", "She said I'm lazy.",
                 "my wife thinks I'm a workaholic", "My brother lives in Berlin.", "My colleague uses Emacs.",
                 "People say I'm a great teacher", "my dad is a retired engineer", "They told me I'm a natural leader"],
                profile: "")
    }

    @Test func rolePlayAndInstructionsToTheModelGiveNothing() {
        nothing(["You are a senior Rust engineer. I am the CTO.", "Act as a Linux terminal. I use zsh.",
                 "Pretend you're a pirate and I live on a ship.", "Role-play: I'm a customer angry about a late delivery.",
                 "Write a story where I am a detective in 1920s Chicago.",
                 "Let's play a game: you are a wizard and I am your apprentice.",
                 "I want you to act as a travel guide. I am in Rome."], profile: "")
    }

    @Test func negationsThatFlipTheMeaningGiveNoAdd() {
        nothing(["I'm not a developer, just curious: what's an API?", "I don't live in the US.", "I've never used Docker.",
                 "I don't use Windows", "I'm not a Rust developer. I am not based in London."], profile: "")
    }

    @Test func quotedPastedLoggedAndTranslatedTextGivesNothing() {
        nothing([
            "Translate to French: I live in Lisbon and I work as a nurse.",
            "How do you say 'I am a vegetarian' in Japanese?",
            "What's the German for \"I prefer tea to coffee\"?",
            "Summarize this:\n\nI joined the company in 2019 as a junior developer. I love the team and I live in Leeds.",
            "Proofread this paragraph:\n\nI am a experienced nurse. I live in Manchester.",
            "> I'm a Rust developer\n\nwhat does this quote mean",
            "```\n# I am a comment: I live in Lisbon\nprint('I use Vim')\n```",
            "Here's a cover letter I found online, what makes it good?\n\nDear Hiring Manager,\nI am a software engineer with five years of experience.",
            "    I am an indented code line about Rust",
            "2024-05-01 12:00:03 INFO I am a log line from Lisbon",
            "What is this poem about?\n\nI wandered lonely as a cloud\nI live in the hills",
            "Draft a LinkedIn message to a recruiter saying I'm not interested right now.",
        ], profile: "")
    }

    @Test func taskContextGivesNothing() {
        nothing(["I'm using pandas and I get a SettingWithCopyWarning, what does it mean?",
                 "I use requests but it fails with a timeout error", "I'm trying to get my Rust code to compile",
                 "When I use map() I get undefined", "I'm building the project and the linker crashes"], profile: "")
    }

    // MARK: - Sources, texts, limits, secrets

    @Test func eachOpCitesItsExchangeAndOnlyTheTypedPromptIsRead() {
        let result = LocalExtractor(profile: "").extract([
            exchange("I'm a Rust developer.", id: "A", response: "I live in Lisbon and I am a nurse.",
                     system: "The user is a Go developer. I prefer tea."),
            exchange(nil, id: "B", response: "I'm a tool result: I use Vim."),
            exchange("I prefer short answers.", id: "C"),
        ])
        #expect(result.ops == [
            DeltaOp(kind: .add, section: "Personal Information", text: "Role: Rust developer", source: "A"),
            DeltaOp(kind: .add, section: "Preferences", text: "Prefers short answers", source: "C"),
        ])
    }

    @Test func textsAreTrimmedOfFillerCapitalisedAndCapped() {
        #expect(adds("I like rust a lot lol") == ["Interests: Likes Rust"])
        #expect(adds("i enjoy typescript these days") == ["Interests: Likes TypeScript"])
        #expect(adds("I'm building a very long project description that goes on and on about many many different things forever and ever")
            == ["Current Projects: Building a very long project description"])
        nothing(["I love hiking and biking and climbing and swimming and running and rowing and sailing and skiing"], profile: "")
        #expect(adds("I'm learning Rust.").first?.hasSuffix(".") == false)
    }

    @Test func aDuplicateFactInOneBatchIsKeptOnceAndTheOpLimitHolds() {
        var options = LocalExtractor.Options()
        options.maxOps = 2
        let result = LocalExtractor(profile: "", options: options).extract([
            exchange("I use Neovim.", id: "A"), exchange("I use neovim", id: "B"),
            exchange("I like Rust. I live in Oslo. I prefer tabs.", id: "C"),
        ])
        #expect(result.ops.map(\.text) == ["Uses Neovim", "Likes Rust"])
        #expect(result.notes.contains { $0.contains("over the limit of 2") })
    }

    @Test func anOverlongFactIsShortenedAtAWordAndSaidNotDropped() {
        var options = LocalExtractor.Options()
        options.maxOpChars = 30
        let result = LocalExtractor(profile: "", options: options).extract([
            exchange("I'm building a memory add-on for llm in Swift.", id: "A"),
        ])
        #expect(result.ops == [DeltaOp(kind: .add, section: "Current Projects", text: "Building a memory add-on for…", source: "A")])
        #expect(result.notes == [#"local: a fact of 41 characters is over the limit of 30: shortened to "Building a memory add-on for…""#])
    }

    // MARK: - Changes within one batch

    /// The profile `ops` leave behind, applied to `profile` as mem-merge applies a delta.
    func merged(_ ops: [DeltaOp], into profile: String) -> [String] {
        ProfileMerger.apply(Delta(ops: ops), to: ProfileDocument(bytes: Array(profile.utf8))).document.bullets.map(\.text)
    }

    @Test(arguments: [
        ("I'm vegetarian.", "Also, I'm pescatarian now.", ["Diet: pescatarian"]),
        ("I live in Berlin.", "Big news: we moved to Madrid last week!", ["Lives in Madrid"]),
        ("I'm a data analyst.", "And I'm a data engineer now.", ["Role: data engineer"]),
        ("I like chess.", "Please forget that I like chess.", []),
        ("I use Vim.", "I switched from Vim to Neovim.", ["Uses Neovim"]),
    ])
    func aFactChangedLaterInTheBatchGivesOneOpForWhereItEndsUp(first: String, later: String, after: [String]) {
        let ops = LocalExtractor(profile: "").extract([exchange(first, id: "A"), exchange(later, id: "B")]).ops
        #expect(ops.count == after.count, "\(ops)")
        #expect(ops.allSatisfy { $0.kind == .add && $0.source == "B" }, "\(ops)")
        #expect(merged(ops, into: ProfileDocument.defaultText) == after)
    }

    @Test func aProfileFactChangedTwiceInTheBatchIsReplacedOnceByTheLastValue() {
        let profile = TestProfile.text(personal: ["Diet: vegetarian", "Uses Vim"])
        let extractor = LocalExtractor(profile: profile)
        let twice = extractor.extract([exchange("I'm pescatarian now.", id: "A"), exchange("I'm vegan now.", id: "B")]).ops
        #expect(twice == [DeltaOp(kind: .replace, section: "Personal Information", text: "Diet: vegan", old: "Diet: vegetarian", source: "B")])
        #expect(merged(twice, into: profile) == ["Diet: vegan", "Uses Vim"])
        // Back where it started: nothing to do.
        #expect(extractor.extract([exchange("I'm pescatarian now.", id: "A"), exchange("I'm vegetarian.", id: "B")]).ops.isEmpty)
        // Changed, then forgotten: the profile's own bullet is removed.
        let gone = extractor.extract([exchange("I switched from Vim to Neovim.", id: "A"),
                                      exchange("Forget that I use Neovim.", id: "B")]).ops
        #expect(gone == [DeltaOp(kind: .remove, section: "Personal Information", old: "Uses Vim", source: "B")])
        #expect(merged(gone, into: profile) == ["Diet: vegetarian"])
    }

    @Test func factsThatDoNotChangeKeepTheirOwnOpsInExchangeOrder() {
        let ops = LocalExtractor(profile: "").extract([
            exchange("I'm vegetarian. I live in Berlin.", id: "A"), exchange("I like chess.", id: "B"),
            exchange("We moved to Madrid!", id: "C"),
        ]).ops
        #expect(ops.map { "\($0.source ?? "") \($0.text ?? "")" } == ["A Diet: vegetarian", "B Likes chess", "C Lives in Madrid"])
    }

    @Test func secretsAreRedactedFirstAndNeverEmitted() {
        let key = "sk-" + "proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56"
        nothing(["Remember that my API key is \(key)", "call me \(key)", "I use \(key) as my token",
                 "remember: password=hunter2x!"], profile: "")
        #expect(adds("I use Neovim and my key is \(key)") == ["Personal Information: Uses Neovim"])
    }
}
