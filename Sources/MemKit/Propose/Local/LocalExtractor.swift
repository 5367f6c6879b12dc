/// The built-in offline extractor (`mem-propose --model local`, `LLM_MEMORY_MODEL=local`):
/// a conservative set of English patterns for explicit statements the user makes about
/// themselves, turned into delta ops with no model call and no network. Precision over
/// recall: when in doubt it records nothing.
///
/// **What it reads.** Only the user's typed prompt of each exchange — never the
/// assistant's reply, the system prompt or fragment contents — after redaction
/// (`Redactor`), and within it only the user's own lines (`UserText`: no code blocks,
/// quoted `>` lines, code- or log-shaped lines, pasted text after "here is …:" /
/// "summarize this:" / "translate …:", long pasted paragraphs, text in quotation marks).
/// Exchanges the `Gate` drops are not read at all. The text is split into sentences
/// (`.`, `!`, `?`, line breaks); contractions are expanded ("I'm" = "I am", "don't" =
/// "do not"; `’` is an apostrophe).
///
/// **The patterns** (case-insensitive; `X` is the captured phrase; adverbs such as
/// `really`, `currently`, `also`, `mostly`, `originally`, `finally`, `eventually`, `only`
/// may stand between "I" and the verb — `Lexicon.adverbs`, shared with the gate; hedges,
/// guesses and the past such as `never`, `sometimes`, `probably`, `previously` may not):
///
/// | the user writes | op (section) |
/// |---|---|
/// | `my name is X`, `my name's X`, `call me X`, `I am called/named X`, `hi/hello/hey, I'm X` (X capitalised) | `Name: X` (Personal Information) |
/// | `I am a/an/the X`, `I have been a X` — X ending in a role word (developer, engineer, nurse, teacher, student, designer … see `Lexicon.occupations`) | `Role: X` (Personal Information) |
/// | `I work as (a) X`, `I am working/employed as (a) X`, `my job/role/title/occupation is X`, `as a/an X, I …` | `Role: X` |
/// | `I work at/for X`, `I am employed by/at X`, `I am working at/for X`, `I am a <role> at X` (X capitalised, or `a/an/the …`); a place after it stays with it: `… at a fintech startup in Berlin` | `Works at X` / `Works for X` (`Works at a fintech startup in Berlin`: the employer's place, not `Lives in` — people work in cities they do not live in) |
/// | `I (have) accepted a <role> (position) at X`, `I landed/got/took/started a (<role>) job/position/role at X`, `I accepted an offer from X` (after got/took/started a position word is needed: "I got a plumber to fix the sink" is no role) | `Role: X` when a role is named, `Works at X` |
/// | `I work in X`; `I work remotely (from X)` (X capitalised) | `Works in X`; `Works remotely (from X)` |
/// | `I live/reside in X`, `I am based in/out of X`, `I am located/living in X`, `I moved/relocated to X`, `as someone who lives in X`, `we live in X`, `we (have just) moved/relocated to X`, `we are living in X` (X capitalised; "we are based in" is left out: a company says it) | `Lives in X` (Personal Information) |
/// | `I am from X`, `I'm originally from X` (X capitalised) | `From X` |
/// | `I am (a) vegetarian/vegan/pescatarian` | `Diet: vegetarian` (replaces the diet bullet) |
/// | `I use X`, `I am using X`, `I code/program/develop in X`, `I write (in) X` (X a programming language, see `ExtractorLexicon.languages`), `I am on X` (X an operating system, see `operatingSystems`), `my (main/primary/daily/usual/preferred) editor/IDE/shell/OS/distro/terminal/stack/language/laptop/browser/setup/framework/keyboard layout … is X` (see `setupNouns`) | `Uses X` (Personal Information) |
/// | `my/our team/company/startup/lab … uses X`, `… is using X`, `our stack is X`, `we use X` / `we are using X` (X starting with a known tool or language, any name when the clause says `at work`) | `Team uses X`, `Company uses X` (Personal Information) |
/// | `my pronouns are X` | `Pronouns: X` (Personal Information; replaces the pronouns bullet) |
/// | `I speak X` (capitalised languages, not programming ones; `fluent`, `some`, `a little` … kept) | `Speaks Hindi, Marathi and English` (Personal Information) |
/// | `I mentor/coach X` | `Mentors X`, `Coaches X` (Personal Information) |
/// | `I have / I've got a/an/<number> (<young, rescue …>) <pet or family member>` (the noun ends its phrase: not "a cat allergy"), with `called/named <Name>` or `, <Names>` | `Has a dog called Biscuit`, `Has two cats, Miso and Tofu` (Personal Information) |
/// | `I teach X`; `I run/own/manage a X` | `Teaches X`; `Runs a X` (Personal Information) |
/// | `I am building/developing/making/creating/designing/coding/prototyping/launching/maintaining/running/starting/organizing X`, `I am working on X`, `I am hacking on X`, `I am training for X`, `I have been building … X`, `I (have) started/began building … X`, `I am writing X` (X a book, thesis, app, tool, library … see `durableWorks`); X is judged by its head, not what it is about ("a book about incident response" is a book, "a bug in the parser" a one-off) | `Building X`, `Working on X`, `Training for X`, `Writing X`, … (Current Projects) |
/// | `my (side/current/main) project is X` | `Project: X` / `Side project: X` (Current Projects) |
/// | `I am learning/studying X`, `I (have) started learning X` | `Learning X`, `Studying X` (Interests) |
/// | `I play <instrument, sport or game>` (`the cello`, `chess`, `video games`), `I go <-ing> …` with a word of habit (`every`, `twice`, `weekly` …) | `Plays the cello in an amateur orchestra`, `Goes bouldering twice a week` (Interests) |
/// | `I like/love/enjoy/adore X` (not `the …`, `my …`, `to …`), `I am into X`, `I am a (big/huge) fan of X`, `I am keen on/fond of X`, `my hobbies/interests are/include X`, `my favourite … is X` | `Likes X` (Interests) |
/// | `I am interested in X`, `I am passionate/curious about X` | `Interested in X` (Interests) |
/// | `I prefer X` (`X over/to Y` kept; not `the …`) | `Prefers X` (Preferences) |
/// | `I don't like/enjoy/love X`, `I dislike/hate/detest/loathe/despise X`, `I can't stand X`, `I'm not a fan of X`, `I'm not into/keen on X` | `Dislikes X` (Preferences) |
/// | `(please) always/never <verb> …`, `don't ever <verb> …`, `from now on / going forward / in (the) future, <verb> …`, `<verb> … from now on / going forward / always` ending the instruction's clause (verb: answer, reply, use, write, give, keep … see `instructionVerbs`; a trailing `in your replies`, `when answering me` … is cut; `your answers/replies/sources …` as the object is the user's wish about answers: `keep your answers short` → `keep answers short`) | `Always <verb> …` / `Never <verb> …` (Preferences) |
/// | `I switched/moved/migrated/changed/went/transitioned from X to Y` (also `I have …`, and `we …`) | `replace` of the profile bullet that mentions X, with X replaced by Y in it (that bullet's section); no such bullet → `add` of `Uses Y` (`Team uses Y` after "we"; `Lives in Y` after "moved"/"relocated" when Y is not a known tool) |
/// | `I switched to Y`, `I moved to Y` | `add` `Uses Y`; `Lives in Y` (replacing the existing location bullet) |
/// | `remember (that|:) X`, `note (for the future)(:) X`, `keep in mind (that) X`, `don't forget (that) X` | X read by the patterns above; if none applies, X itself as a bullet, in the third person ("I'm allergic to peanuts" → `Allergic to peanuts`, "I have two cats" → `Has two cats`, "my birthday is …" → `Birthday is …`), in Personal Information (Preferences when X is an instruction starting with always/never/prefer/please) |
/// | `forget (that|about) X` (opening the sentence or a later clause: `…, please forget about them`), `I no longer X`, `I'm no longer X`, `I don't X anymore`, `I'm not X anymore`, `I stopped X`, `I quit X`, `I left X`, `I('ve) changed my mind about X` | `remove` of every profile bullet holding all the content words of X (its section; a contraction counts as its words: "I'm training" is `i am training`; a pronoun after "forget" stands for the sentence's earlier `about …`); no such bullet → nothing |
/// | `I (have) submitted/defended/finished/completed/shipped/published/launched X` | `remove` of the Current Projects bullets holding all the content words of X ("I submitted the thesis") |
///
/// **Clauses.** A captured phrase ends with its clause: where a coordinator (`and`, `but`,
/// `or`, `so` …) starts a clause with its own subject or a question ("… at Acme and I
/// live in Lisbon", "… but my team uses Emacs", "… and how do I …"), or at `;`, `:`, a
/// dash or a bracket; "no longer"/"anymore" takes back only its own clause's fact. So "I
/// am a Go developer at Acme and I live in Lisbon" gives `Role: Go developer`, `Works at
/// Acme` and `Lives in Lisbon`, and "Procter and Gamble" stays one name.
///
/// Single-valued facts — `Name:`, `Role:`, `Lives in`, `Works at/for`, `Diet:`,
/// `Pronouns:` — replace the profile's existing bullet of that kind (`Name:`;
/// `Role:`/`Occupation:`/`Job:`; `Lives in`/`Based in`/`Location:`; `Works at`/`Works
/// for`/`Employer:`; `Diet:` or a bullet that is only a diet, "Vegetarian"; `Pronouns:`)
/// instead of adding a second one. Tools, editors, operating systems and languages are not
/// single-valued (macOS at work, Linux at home): a new one is added, and replaces the old
/// only when the user says "switched from X to Y". A fact the profile already holds (tolerant `BulletMatcher`
/// match) gives no op.
///
/// **One batch, one profile.** A fact is compared with the profile as the batch's earlier
/// facts have left it (`BatchProfile`), not as it was before the batch: "I'm vegetarian"
/// and, later in the batch, "I'm pescatarian now" give one `add` of `Diet: pescatarian`;
/// "I like chess" then "forget that I like chess" give nothing. The delta holds one op per
/// bullet, for where the batch ends up, citing the exchange that said it last.
///
/// **Tools and languages go to Personal Information** (as `Uses X`): they are facts about
/// the user's setup, not instructions; Preferences holds what the user asks of answers
/// (`Prefers …`, `Dislikes …`, `Always …`).
///
/// **What it refuses** (gives no op for):
/// - Questions: a sentence ending in `?` or starting with a question word or auxiliary
///   (`what`, `how`, `am`, `do`, `can`, `should` …) is read only in its clauses before the
///   last one, and not in clauses that themselves start like a question: "I'm a nurse, how
///   do I …?" gives the role; "am I a good developer?", "what should I use if I'm a
///   beginner?" give nothing.
/// - Hypotheticals and reported speech: a subject "I" preceded in its sentence by `if`,
///   `suppose`, `imagine`, `pretend`, `assume`, `hypothetically`, `say`, `wish`, `unless`,
///   `whether`, `said`, `says`, `told`, `think(s)`, `believe(s)`, `claim(s)`, `saying`,
///   `according` … (see `SentenceReader.blockers`); "I" that does not open a clause (`like I'm five`,
///   `when I run`, `that I'm`) — the subject must start the sentence or follow `,` `;` `:`
///   `-` `(` or one of `and`, `but`, `so`, `also`, `because`, `since`, `as`, `now`,
///   `well`, `ok`, `hi`, `hello`, `hey`, `btw`, `actually`, `currently` … (see
///   `SentenceReader.openers`).
/// - Other people: only "I", "my name", "my project/editor/job …", "we"/"my team"/"our
///   team" in the few patterns above and imperatives addressed to the assistant start a
///   pattern, so "my friend is a doctor", "he is a Rust developer", "my boss likes Go",
///   "she said I'm lazy", "my friend's team uses Go", "we use the chain rule" give nothing.
/// - Role-play and instructions to the model: a prompt with `act as`, `pretend`,
///   `role-play`, `you are a/an/the`, `you're a`, `play the role`, `in character`,
///   `let's play`, `imagine you`, `write a story/poem/scene/song`, `fictional`, `persona`
///   or `character` gives nothing at all.
/// - Negations: `not`, `never`, `no longer` between "I" and the verb block positive
///   patterns ("I'm not a developer", "I don't live in Paris" give no add); a sentence with
///   `anymore`/`no longer` never adds.
/// - Task context: `I use`/`I am using`/project patterns in a sentence about a failure
///   (`error`, `exception`, `warning`, `fail`, `crash`, `bug`, `broken`, `issue`, `problem`,
///   `wrong`, `stuck`, `traceback`); projects that are one-off tasks (a function, script,
///   query, bug, email, essay, PR … see `transientWork`).
/// - Conditional wishes: `I'd like/love/prefer/rather`, `I would …`.
/// - Captures that are deictic or about the assistant (`this`, `that`, `it`, `them`, `the …`
///   for likes, `you`, `your`), hold quoted/redacted text, evaluative role words
///   (`good`, `bad`, `terrible`, `former` …), or are longer than their cap (names 4 words,
///   roles 6, places 5, tools 6, likes 8, projects 12 — longer projects are cut before
///   `that`/`which`/`who` or at 12 words); health, money and other sensitive states are not
///   patterns (only stored when the user says "remember …").
/// - Anything that still looks like a secret after redaction (`Redactor.looksLikeSecret`).
///
/// **Texts.** Bullets are short, capitalised, with trailing punctuation and filler
/// (`really`, `a lot`, `very much`, `these days`, `at the moment`, `now`, `last year`,
/// `btw`, `lol` …) trimmed and `my` turned into `their`; well-known languages and tools
/// are spelled canonically (`Rust`, `TypeScript`, `macOS`, `Neovim`). A bullet longer
/// than `maxOpChars` (a long "remember that …") is shortened at a word boundary, and said,
/// like a model's op. Each op's `source` is its exchange id.
public struct LocalExtractor: Sendable {
    public struct Options: Sendable {
        public var maxOps = 20
        public var maxOpChars = 200

        public init() {}
    }

    public struct Result: Sendable {
        public var ops: [DeltaOp]
        /// Lines for stderr: ops dropped over `maxOps`, texts shortened to `maxOpChars`.
        public var notes: [String]
    }

    /// The profile before the batch; each batch folds its ops into a copy (`BatchProfile`).
    let profile: BatchProfile
    public let options: Options

    public init(profile: String, options: Options = Options()) {
        self.profile = BatchProfile(profile: ProfileDocument(bytes: Array(profile.utf8)))
        self.options = options
    }

    /// The ops for a batch of exchanges, in order, each citing its exchange. Each fact is
    /// compared with the profile as the batch's earlier facts have left it, so a fact
    /// changed later in the batch gives one op for where it ends up (`BatchProfile`).
    public func extract(_ exchanges: [Exchange]) -> Result {
        var batch = profile
        var notes: [String] = []
        for exchange in exchanges {
            guard let prompt = exchange.prompt else { continue }
            fold(facts(inPrompt: prompt), source: exchange.id, into: &batch, notes: &notes)
        }
        var ops = batch.ops
        if ops.count > options.maxOps {
            let dropped = ops.count - options.maxOps
            notes.append("local: dropped \(dropped) op\(dropped == 1 ? "" : "s") over the limit of \(options.maxOps) per delta")
            ops = Array(ops.prefix(options.maxOps))
        }
        return Result(ops: ops, notes: notes)
    }

    // MARK: - Facts

    /// The kinds of fact the profile holds one of: a new one replaces the old. A diet and
    /// pronouns are one at a time like a name; tools, editors, operating systems and
    /// languages are not — people use several at once (macOS at work, Linux at home), and
    /// which one a new one replaces is said by "switched from X to Y", not guessed.
    enum Slot: Sendable { case name, role, location, employer, diet, pronouns }

    /// The default sections a new fact goes to (a change or removal stays in the section
    /// of the bullet it touches).
    enum Section: String, Sendable {
        case personal = "Personal Information"
        case projects = "Current Projects"
        case interests = "Interests"
        case preferences = "Preferences"
    }

    /// What a sentence says about the user, before it is matched against the profile.
    enum Fact: Equatable, Sendable {
        /// A bullet to add; `slot` marks a single-valued fact that replaces its kind.
        case add(section: Section, text: String, slot: Slot?)
        /// "switched/moved from X to Y": `to` is the new bullet when nothing mentions `from`.
        case change(from: String?, to: String, fallback: String, slot: Slot?)
        /// "forget …", "no longer …": the words that name what to remove.
        case remove(String)
        /// "I submitted the thesis": a project is over; the words name the project bullets
        /// (Current Projects) to remove.
        case done(String)
    }

    /// The facts a typed prompt states about the user.
    func facts(inPrompt prompt: String) -> [Fact] {
        let tokens = UserText.tokens(Redactor.redact(prompt))
        if LocalExtractor.isRolePlay(tokens) { return [] }
        var facts: [Fact] = []
        for sentence in LocalExtractor.sentences(tokens) {
            facts += SentenceReader(sentence: sentence).facts()
        }
        return facts
    }

    /// The sentences of a prompt: split at `.`, `!`, `?` and line breaks; a closing `?` or
    /// `!` stays with its sentence, because the reader treats a question differently.
    static func sentences(_ tokens: [Token]) -> [[Token]] {
        var out: [[Token]] = []
        var current: [Token] = []
        for token in tokens {
            if token.endsSentence {
                if token.key == "?" || token.key == "!" { current.append(token) }
                if !current.isEmpty { out.append(current) }
                current = []
            } else {
                current.append(token)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Phrases that make the whole prompt fiction or a part for the model to play: nothing
    /// in it is the user speaking about themselves ("Act as a Linux terminal. I use zsh.").
    static let rolePlayPhrases: [[String]] = [
        "act as", "acting as", "pretend", "pretending", "role-play", "roleplay", "role play", "you are a", "you are an",
        "you are the", "you are my", "play the role", "in character", "let us play", "imagine you", "write a story",
        "write a poem", "write a scene", "write a song", "fictional", "persona", "character", "role-playing",
    ].map { $0.split(separator: " ").map(String.init) }

    static func isRolePlay(_ tokens: [Token]) -> Bool {
        for k in tokens.indices where tokens[k].isWord {
            for phrase in rolePlayPhrases where tokens.hasPhrase(phrase, at: k) { return true }
        }
        return false
    }
}
