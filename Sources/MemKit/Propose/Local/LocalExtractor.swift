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
/// `really`, `currently`, `also`, `mostly`, `originally`, `generally` may stand between
/// "I" and the verb):
///
/// | the user writes | op (section) |
/// |---|---|
/// | `my name is X`, `my name's X`, `call me X`, `I am called/named X`, `hi/hello/hey, I'm X` (X capitalised) | `Name: X` (Personal Information) |
/// | `I am a/an/the X`, `I have been a X` — X ending in a role word (developer, engineer, nurse, teacher, student, designer … see `roleWords`) | `Role: X` (Personal Information) |
/// | `I work as (a) X`, `I am working/employed as (a) X`, `my job/role/title/occupation is X`, `as a/an X, I …` | `Role: X` |
/// | `I work at/for X`, `I am employed by/at X`, `I am working at/for X`, `I am a <role> at X` (X capitalised, or `a/an/the …`) | `Works at X` / `Works for X` |
/// | `I work in X`; `I work remotely (from X)` (X capitalised) | `Works in X`; `Works remotely (from X)` |
/// | `I live/reside in X`, `I am based in/out of X`, `I am located/living in X`, `I moved to X`, `as someone who lives in X` (X capitalised) | `Lives in X` (Personal Information) |
/// | `I am from X`, `I'm originally from X` (X capitalised) | `From X` |
/// | `I am (a) vegetarian/vegan/pescatarian` | `Diet: vegetarian` |
/// | `I use X`, `I am using X`, `I code/program/develop in X`, `I write (in) X` (X a programming language, see `languages`), `I am on X` (X an operating system, see `operatingSystems`), `my (main/primary/daily/usual/preferred) editor/IDE/shell/OS/distro/terminal/stack/language/laptop/browser/setup/framework/keyboard layout … is X` (see `setupNouns`) | `Uses X` (Personal Information) |
/// | `my pronouns are X` | `Pronouns: X` (Personal Information) |
/// | `I teach X`; `I run/own/manage a X` | `Teaches X`; `Runs a X` (Personal Information) |
/// | `I am building/developing/making/creating/designing/coding/prototyping/launching/maintaining/running/starting/organizing X`, `I am working on X`, `I am hacking on X`, `I am training for X`, `I have been building … X`, `I am writing X` (X a book, thesis, app, tool, library … see `durableWorks`) | `Building X`, `Working on X`, `Training for X`, `Writing X`, … (Current Projects) |
/// | `my (side/current/main) project is X` | `Project: X` / `Side project: X` (Current Projects) |
/// | `I am learning/studying X` | `Learning X`, `Studying X` (Interests) |
/// | `I like/love/enjoy/adore X` (not `the …`, `my …`, `to …`), `I am into X`, `I am a (big/huge) fan of X`, `I am keen on/fond of X`, `my hobbies/interests are/include X`, `my favourite … is X` | `Likes X` (Interests) |
/// | `I am interested in X`, `I am passionate/curious about X` | `Interested in X` (Interests) |
/// | `I prefer X` (`X over/to Y` kept; not `the …`) | `Prefers X` (Preferences) |
/// | `I don't like/enjoy/love X`, `I dislike/hate/detest/loathe/despise X`, `I can't stand X`, `I'm not a fan of X`, `I'm not into/keen on X` | `Dislikes X` (Preferences) |
/// | `(please) always/never <verb> …`, `don't ever <verb> …`, `from now on / going forward / in (the) future, <verb> …`, `<verb> … from now on / going forward / always` (verb: answer, reply, use, write, give, keep … see `instructionVerbs`; a trailing `in your replies`, `when answering me` … is cut) | `Always <verb> …` / `Never <verb> …` (Preferences) |
/// | `I switched/moved/migrated/changed/went/transitioned from X to Y` (also `I have …`) | `replace` of the profile bullet that mentions X, with X replaced by Y in it (that bullet's section); no such bullet → `add` of `Uses Y` (or `Lives in Y` after "moved" when Y is not a known tool) |
/// | `I switched to Y`, `I moved to Y` | `add` `Uses Y`; `Lives in Y` (replacing the existing location bullet) |
/// | `remember (that|:) X`, `note (for the future)(:) X`, `keep in mind (that) X`, `don't forget (that) X` | X read by the patterns above; if none applies, X itself as a bullet, in the third person ("I'm allergic to peanuts" → `Allergic to peanuts`, "I have two cats" → `Has two cats`, "my birthday is …" → `Birthday is …`), in Personal Information (Preferences when X is an instruction starting with always/never/prefer/please) |
/// | `forget (that|about) X`, `I no longer X`, `I'm no longer X`, `I don't X anymore`, `I'm not X anymore`, `I stopped X`, `I quit X`, `I left X` | `remove` of every profile bullet holding all the content words of X (its section); no such bullet → nothing |
///
/// Single-valued facts — `Name:`, `Role:`, `Lives in`, `Works at/for` — replace the
/// profile's existing bullet of that kind (`Name:`; `Role:`/`Occupation:`/`Job:`;
/// `Lives in`/`Based in`/`Location:`; `Works at`/`Works for`/`Employer:`) instead of
/// adding a second one. A fact the profile already holds (tolerant `BulletMatcher`
/// match) gives no op.
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
///   `according` … (see `blockers`); "I" that does not open a clause (`like I'm five`,
///   `when I run`, `that I'm`) — the subject must start the sentence or follow `,` `;` `:`
///   `-` `(` or one of `and`, `but`, `so`, `also`, `because`, `since`, `as`, `now`,
///   `well`, `ok`, `hi`, `hello`, `hey`, `btw`, `actually`, `currently` … (see `openers`).
/// - Other people: only "I", "my name", "my project/editor/job …" and imperatives
///   addressed to the assistant start a pattern, so "my friend is a doctor", "he is a
///   Rust developer", "my boss likes Go", "she said I'm lazy" give nothing.
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
/// are spelled canonically (`Rust`, `TypeScript`, `macOS`, `Neovim`). Each op's `source`
/// is its exchange id.
public struct LocalExtractor: Sendable {
    public struct Options: Sendable {
        public var maxOps = 20
        public var maxOpChars = 200

        public init() {}
    }

    public struct Result: Sendable {
        public var ops: [DeltaOp]
        /// Lines for stderr: ops dropped over the limits.
        public var notes: [String]
    }

    /// A profile bullet the extractor can replace or remove.
    struct Bullet: Sendable {
        var section: String
        var text: String
        var words: [String]
    }

    let bullets: [Bullet]
    public let options: Options

    public init(profile: String, options: Options = Options()) {
        let document = ProfileDocument(bytes: Array(profile.utf8))
        var bullets: [Bullet] = []
        for section in document.sections {
            for bullet in section.bullets {
                let text = bullet.text.trimmingWhitespace()
                guard !text.isEmpty else { continue }
                bullets.append(Bullet(section: section.name, text: text,
                                      words: BulletMatcher.normalize(text).split(separator: " ").map(String.init)))
            }
        }
        self.bullets = bullets
        self.options = options
    }

    /// The ops for a batch of exchanges, in order, each citing its exchange.
    public func extract(_ exchanges: [Exchange]) -> Result {
        var ops: [DeltaOp] = []
        var keys = Set<String>()
        var notes: [String] = []
        var droppedForLimit = 0
        for exchange in exchanges {
            guard let prompt = exchange.prompt else { continue }
            for op in self.ops(for: facts(inPrompt: prompt), source: exchange.id) {
                if let text = op.text, text.unicodeScalars.count > options.maxOpChars {
                    notes.append("local: dropped an op of \(text.unicodeScalars.count) characters, over the limit of \(options.maxOpChars)")
                    continue
                }
                if let text = op.text, Redactor.looksLikeSecret(text) { continue }
                if let old = op.old, Redactor.looksLikeSecret(old) { continue }
                let key = "\(op.kind.rawValue)\u{1}\(op.section.lowercased())\u{1}\(BulletMatcher.normalize(op.text ?? ""))\u{1}\(BulletMatcher.normalize(op.old ?? ""))"
                guard keys.insert(key).inserted else { continue }
                if ops.count >= options.maxOps { droppedForLimit += 1; continue }
                ops.append(op)
            }
        }
        if droppedForLimit > 0 {
            notes.append("local: dropped \(droppedForLimit) op\(droppedForLimit == 1 ? "" : "s") over the limit of \(options.maxOps) per delta")
        }
        return Result(ops: ops, notes: notes)
    }

    // MARK: - Facts

    enum Slot: Sendable { case name, role, location, employer }

    enum Fact: Equatable, Sendable {
        /// A bullet to add; `slot` marks a single-valued fact that replaces its kind.
        case add(section: String, text: String, slot: Slot?)
        /// "switched/moved from X to Y": `to` is the new bullet when nothing mentions `from`.
        case change(from: String?, to: String, fallback: String, slot: Slot?)
        /// "forget …", "no longer …": the words that name what to remove.
        case remove(String)
    }

    static let personal = "Personal Information"
    static let projects = "Current Projects"
    static let interests = "Interests"
    static let preferences = "Preferences"

    /// The facts a typed prompt states about the user.
    func facts(inPrompt prompt: String) -> [Fact] {
        let tokens = UserText.tokens(Redactor.redact(prompt))
        if LocalExtractor.isRolePlay(tokens) { return [] }
        var facts: [Fact] = []
        for sentence in LocalExtractor.sentences(tokens) {
            facts += Reader(sentence: sentence).facts()
        }
        return facts
    }

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

    static let rolePlayPhrases: [[String]] = [
        "act as", "acting as", "pretend", "pretending", "role-play", "roleplay", "role play", "you are a", "you are an",
        "you are the", "you are my", "play the role", "in character", "let us play", "imagine you", "write a story",
        "write a poem", "write a scene", "write a song", "fictional", "persona", "character", "role-playing",
    ].map { $0.split(separator: " ").map(String.init) }

    static func isRolePlay(_ tokens: [Token]) -> Bool {
        for k in tokens.indices where tokens[k].isWord {
            for phrase in rolePlayPhrases where Gate.follows(tokens, k, phrase) { return true }
        }
        return false
    }

    // MARK: - Turning facts into ops

    func ops(for facts: [Fact], source: String) -> [DeltaOp] {
        var ops: [DeltaOp] = []
        for fact in facts {
            switch fact {
            case let .add(section, text, slot):
                if let op = addOrReplace(section: section, text: text, slot: slot, source: source) { ops.append(op) }
            case let .change(from, to, fallback, slot):
                if let from, let bullet = bullets.first(where: { LocalExtractor.mentions($0, from) }) {
                    let replaced = LocalExtractor.substitute(from, with: to, in: bullet.text) ?? fallback
                    if BulletMatcher.matches(replaced, bullet.text) { continue }
                    ops.append(DeltaOp(kind: .replace, section: bullet.section, text: replaced, old: bullet.text, source: source))
                } else if let op = addOrReplace(section: LocalExtractor.personal, text: fallback, slot: slot, source: source) {
                    ops.append(op)
                }
            case let .remove(words):
                let content = LocalExtractor.contentWords(words)
                guard !content.isEmpty else { continue }
                for bullet in bullets where content.allSatisfy({ word in bullet.words.contains { LocalExtractor.sameWord($0, word) } }) {
                    ops.append(DeltaOp(kind: .remove, section: bullet.section, old: bullet.text, source: source))
                }
            }
        }
        return ops
    }

    func addOrReplace(section: String, text: String, slot: Slot?, source: String) -> DeltaOp? {
        if bullets.contains(where: { BulletMatcher.matches($0.text, text) }) { return nil }
        if let slot, let existing = bullets.first(where: { LocalExtractor.isSlot(slot, $0.text) }) {
            return DeltaOp(kind: .replace, section: existing.section, text: text, old: existing.text, source: source)
        }
        return DeltaOp(kind: .add, section: section, text: text, source: source)
    }

    static func isSlot(_ slot: Slot, _ text: String) -> Bool {
        let lower = text.lowercased().trimmingWhitespace()
        let prefixes: [String]
        switch slot {
        case .name: prefixes = ["name:", "name -"]
        case .role: prefixes = ["role:", "occupation:", "job:", "profession:", "job title:"]
        case .location: prefixes = ["lives in ", "based in ", "location:", "lives:", "home:"]
        case .employer: prefixes = ["works at ", "works for ", "employer:", "company:"]
        }
        return prefixes.contains { lower.hasPrefix($0) }
    }

    /// Whether a bullet mentions `phrase` as whole words.
    static func mentions(_ bullet: Bullet, _ phrase: String) -> Bool {
        let words = BulletMatcher.normalize(phrase).split(separator: " ").map(String.init)
        guard !words.isEmpty, words.count <= bullet.words.count else { return false }
        for start in 0...(bullet.words.count - words.count) where Array(bullet.words[start..<(start + words.count)]) == words {
            return true
        }
        return false
    }

    /// `text` with the first whole-word, case-insensitive occurrence of `old` replaced.
    static func substitute(_ old: String, with new: String, in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        let target = Array(old.lowercased().unicodeScalars)
        guard !target.isEmpty, scalars.count >= target.count else { return nil }
        func isWordy(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s.properties.numericType != nil || s == "+" || s == "#" }
        for start in 0...(scalars.count - target.count) {
            let slice = String(String.UnicodeScalarView(scalars[start..<(start + target.count)])).lowercased()
            guard Array(slice.unicodeScalars) == target else { continue }
            if start > 0, isWordy(scalars[start - 1]) { continue }
            let end = start + target.count
            if end < scalars.count, isWordy(scalars[end]) { continue }
            return String(String.UnicodeScalarView(scalars[..<start])) + new + String(String.UnicodeScalarView(scalars[end...]))
        }
        return nil
    }

    static let functionWords: Set<String> = [
        "i", "me", "my", "mine", "myself", "am", "is", "are", "was", "were", "be", "been", "being", "a", "an", "the",
        "that", "this", "these", "those", "about", "of", "in", "at", "on", "for", "to", "from", "with", "by", "as",
        "and", "or", "but", "so", "do", "does", "did", "not", "no", "longer", "anymore", "any", "more", "use", "uses",
        "using", "used", "live", "lives", "living", "lived", "work", "works", "working", "worked", "like", "likes",
        "liked", "love", "loves", "enjoy", "enjoys", "prefer", "prefers", "have", "has", "had", "interest",
        "interests", "interested", "into", "fan", "anything", "everything", "something", "it", "stuff", "thing",
        "things", "fact", "facts", "all", "what", "said", "told", "you", "your", "now", "just", "really", "please",
        "forget", "remember", "based", "located", "stopped", "quit", "left", "name", "their", "there",
        "previous", "earlier", "before", "mentioned", "profile", "memory", "info", "information",
    ]

    /// The words that identify what to remove: lowercased, without function words.
    static func contentWords(_ phrase: String) -> [String] {
        BulletMatcher.normalize(phrase).split(separator: " ").map(String.init).filter { !functionWords.contains($0) }
    }

    static func sameWord(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        func stem(_ w: String) -> String { w.count > 3 && w.hasSuffix("s") ? String(w.dropLast()) : w }
        return stem(a) == stem(b)
    }
}

// MARK: - Reading one sentence

/// Reads the patterns of one sentence (see `LocalExtractor`).
struct Reader {
    typealias L = LocalExtractor
    let t: [Token]
    let isQuestion: Bool

    init(sentence: [Token]) {
        var tokens = sentence
        var question = false
        if let last = tokens.last, last.kind == .mark, last.key == "?" || last.key == "!" {
            question = last.key == "?"
            tokens.removeLast()
        }
        // "Don't ever …" is an imperative, "Do I …" a question.
        if let i = tokens.firstIndex(where: { $0.isWord }), Reader.questionWords.contains(tokens[i].key),
           !(i + 1 < tokens.count && tokens[i + 1].key == "not") { question = true }
        t = tokens
        isQuestion = question
    }

    func facts() -> [LocalExtractor.Fact] {
        var facts: [LocalExtractor.Fact] = []
        for segment in segments() {
            facts += read(segment)
        }
        return facts
    }

    /// The parts of the sentence to read: all of a statement; in a question, every clause
    /// but the last that does not itself start like a question.
    func segments() -> [Range<Int>] {
        guard isQuestion else { return [t.indices] }
        var parts: [Range<Int>] = []
        var start = 0
        for k in t.indices {
            let token = t[k]
            var cut = token.kind == .mark && [",", ";", ":", "-", "(", ")"].contains(token.key)
            if token.isWord, ["and", "but", "so"].contains(token.key), k + 1 < t.count,
               Reader.subjectsAndQuestionWords.contains(t[k + 1].key) { cut = true }
            if cut {
                if k > start { parts.append(start..<k) }
                start = k + 1
            }
        }
        // The last clause is the question itself.
        guard !parts.isEmpty else { return [] }
        return parts.filter { range in
            guard let first = range.first(where: { t[$0].isWord && !Reader.fillers.contains(t[$0].key) }) else { return false }
            return !Reader.questionWords.contains(t[first].key)
        }
    }

    static let questionWords: Set<String> = ["what", "how", "why", "when", "where", "who", "whom", "which", "whose",
                                             "is", "are", "am", "do", "does", "did", "can", "could", "should", "would",
                                             "will", "shall", "may", "might", "have", "has", "was", "were", "isn't",
                                             "any", "anyone", "wanna"]
    static let subjectsAndQuestionWords: Set<String> = ["i", "we", "you", "what", "how", "why", "where", "when", "which",
                                                        "who", "can", "could", "should", "would", "do", "does", "is", "are",
                                                        "it", "any", "my"]
    static let fillers: Set<String> = ["please", "pls", "plz", "also", "and", "oh", "ok", "okay", "so", "btw", "hey", "hi",
                                       "hello", "well", "but", "now", "then", "yes", "yeah", "actually", "anyway", "just"]

    /// Words that may precede a subject "I" opening a clause.
    static let openers: Set<String> = ["and", "but", "so", "also", "plus", "because", "since", "as", "now", "well", "ok",
                                       "okay", "oh", "hi", "hello", "hey", "btw", "actually", "anyway", "yes", "yeah",
                                       "currently", "personally", "honestly", "basically", "fyi", "today", "lately",
                                       "recently", "though", "then", "otherwise", "generally", "mostly", "usually",
                                       "nowadays", "context", "note", "cause", "cos", "hmm", "right", "sure", "thanks",
                                       "luckily", "unfortunately", "originally", "profession", "trade"]
    /// Words that make a later "I" hypothetical, reported, or someone else's words.
    static let blockers: Set<String> = ["if", "suppose", "supposing", "imagine", "imagining", "pretend", "pretending",
                                        "assume", "assuming", "hypothetically", "hypothetical", "say", "says", "said",
                                        "saying", "wish", "unless", "whether", "told", "tell", "tells", "telling",
                                        "think", "thinks", "thought", "believe", "believes", "believed", "claim",
                                        "claims", "claimed", "mentioned", "mentions", "asked", "asks", "wrote", "writes",
                                        "stating", "states", "according", "translate", "translation", "dream",
                                        "dreamt", "dreamed", "story", "character", "scenario", "joke", "poem",
                                        "lyrics", "quote", "quoting", "sentence", "phrase", "letter", "email", "draft",
                                        "write", "compose", "reply", "respond", "like", "when", "whenever", "where",
                                        "what", "how", "why", "that", "than", "feel", "feels", "seems", "looks",
                                        "sounds", "guess", "maybe", "perhaps", "would", "could", "might", "should"]

    // MARK: Reading a clause

    func read(_ range: Range<Int>) -> [LocalExtractor.Fact] {
        var facts: [LocalExtractor.Fact] = []
        let start = firstWord(from: range.lowerBound, in: range)
        // Imperatives and framings at the start of the clause.
        if let start {
            if let imperative = readImperative(at: start, in: range) { return imperative }
            facts += readAsA(at: start, in: range)
        }
        var k = range.lowerBound
        while k < range.upperBound {
            defer { k += 1 }
            guard t[k].isWord else { continue }
            switch t[k].key {
            case "i":
                guard opensClause(k, in: range), !blockedBefore(k, in: range) else { continue }
                facts += readSubject(k, in: range)
            case "my":
                guard opensClause(k, in: range), !blockedBefore(k, in: range) else { continue }
                facts += readMy(k, in: range)
            default:
                continue
            }
        }
        return facts
    }

    func firstWord(from k: Int, in range: Range<Int>) -> Int? {
        var j = k
        while j < range.upperBound, !t[j].isWord || Reader.fillers.contains(t[j].key) {
            if t[j].kind == .opaque { return nil }
            j += 1
        }
        return j < range.upperBound ? j : nil
    }

    /// The subject at `k` starts the clause, or follows a clause mark or an opener word.
    func opensClause(_ k: Int, in range: Range<Int>) -> Bool {
        var j = k - 1
        // "in my spare/free time, I …"
        if j >= range.lowerBound, t[j].key == "," { j -= 1 }
        if j - 3 >= range.lowerBound, t[j].key == "time", ["spare", "free"].contains(t[j - 1].key), t[j - 2].key == "my",
           t[j - 3].key == "in" { return true }
        j = k - 1
        if j < range.lowerBound { return true }
        let prev = t[j]
        if prev.kind == .mark { return [",", ";", ":", "-", "(", ")"].contains(prev.key) }
        if prev.kind == .opaque { return false }
        return Reader.openers.contains(prev.key)
    }

    func blockedBefore(_ k: Int, in range: Range<Int>) -> Bool {
        for j in 0..<k where t[j].isWord && Reader.blockers.contains(t[j].key) {
            // "like" and "when"/"that" only block when they are right before the subject
            // (checked by `opensClause`); the framing words block anywhere before.
            if ["like", "when", "whenever", "where", "what", "how", "why", "that", "than", "feel", "feels", "seems",
                "looks", "sounds"].contains(t[j].key) { continue }
            return true
        }
        return false
    }

    /// Whether the sentence talks about a failure: then tools and projects are task context.
    func isTrouble(_ range: Range<Int>) -> Bool {
        for k in t.indices where t[k].isWord {
            let w = t[k].key
            for trouble in ["error", "exception", "warning", "fail", "crash", "bug", "broken", "issue", "problem",
                            "wrong", "stuck", "traceback", "panic"] where w.contains(trouble) { return true }
        }
        return false
    }

    func hasNoLonger(_ range: Range<Int>) -> Bool {
        for k in range where t[k].isWord {
            if t[k].key == "anymore" { return true }
            if t[k].key == "longer", k > 0, t[k - 1].key == "no" { return true }
            if t[k].key == "more", k > 0, t[k - 1].key == "any", k + 1 == range.upperBound || !t[k + 1].isWord { return true }
        }
        return false
    }

    func key(_ k: Int, _ range: Range<Int>) -> String { k < range.upperBound && k >= range.lowerBound ? t[k].key : "" }

    func skipAdverbs(_ k: Int, _ range: Range<Int>) -> Int {
        var j = k
        while j < range.upperBound, t[j].isWord, Reader.adverbs.contains(t[j].key) { j += 1 }
        return j
    }

    static let adverbs: Set<String> = ["really", "also", "currently", "actually", "mostly", "mainly", "usually", "generally",
                                       "normally", "typically", "still", "now", "just", "primarily", "basically",
                                       "honestly", "totally", "absolutely", "definitely", "personally", "always", "truly",
                                       "genuinely", "especially", "particularly", "already", "originally",                                        "kinda", "even", "recently", "officially", "happily", "proudly", "certainly",
                                       "obviously", "newly", "full-time", "part-time", "both", "professionally"]

    // MARK: "I …"

    func readSubject(_ s: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        let noLonger = hasNoLonger(range)
        var j = skipAdverbs(s + 1, range)
        var verb = key(j, range)
        // "my team and I are building …"
        if verb == "are", !(s > range.lowerBound && t[s - 1].key == "and") { return [] }
        if verb == "am" || verb == "are" {
            j = skipAdverbs(j + 1, range)
            return readAm(s, at: j, in: range, noLonger: noLonger)
        }
        if verb == "have" {
            j = skipAdverbs(j + 1, range)
            if key(j, range) == "been" {
                j = skipAdverbs(j + 1, range)
                let next = key(j, range)
                if ["a", "an"].contains(next) { return noLonger ? [] : role(after: j, in: range) }
                if Reader.projectVerbs[next] != nil || next == "working" || next == "using" || next == "living" {
                    return readAm(s, at: j, in: range, noLonger: noLonger)
                }
                return []
            }
            verb = key(j, range)
            if Reader.switchVerbs.contains(verb) { return readSwitch(verb, at: j, in: range) }
            return []
        }
        if verb == "do" || verb == "does" || verb == "can" || verb == "did" {
            guard key(j + 1, range) == "not" else { return [] }
            if verb == "did" { return [] }
            let k = skipAdverbs(j + 2, range)
            let next = key(k, range)
            if verb == "can", next == "stand" { return dislike(after: k, in: range) }
            if verb == "can" { return [] }
            if noLonger, Reader.lastingVerbs.contains(next) {
                return removal(after: k, in: range)
            }
            if ["like", "enjoy", "love"].contains(next), !noLonger { return dislike(after: k, in: range) }
            return []
        }
        if verb == "no", key(j + 1, range) == "longer" {
            let k = skipAdverbs(j + 2, range)
            return removal(after: Reader.lastingVerbs.contains(key(k, range)) ? k : k - 1, in: range)
        }
        if ["stopped", "quit"].contains(verb) {
            var k = j
            if ["using", "working", "doing", "playing", "learning", "building", "writing"].contains(key(k + 1, range)) { k += 1 }
            return removal(after: k, in: range)
        }
        if verb == "left", key(j + 1, range) != "", t[min(j + 1, t.count - 1)].isCapitalized {
            return removal(after: j, in: range)
        }
        if noLonger { return [] }
        switch verb {
        case "live", "reside":
            guard key(j + 1, range) == "in" else { return [] }
            return place(after: j + 1, in: range).map { [.add(section: L.personal, text: "Lives in \($0)", slot: .location)] } ?? []
        case "moved", "switched", "migrated", "changed", "transitioned", "went", "converted":
            return readSwitch(verb, at: j, in: range)
        case "work":
            return readWork(at: j, in: range)
        case "use":
            guard !isTrouble(range) else { return [] }
            return uses(after: j, in: range)
        case "code", "program", "develop":
            let k = skipAdverbs(j + 1, range)
            guard key(k, range) == "in", !isTrouble(range) else { return [] }
            return uses(after: k, in: range)
        case "write":
            guard !isTrouble(range) else { return [] }
            let k = key(j + 1, range) == "in" ? j + 1 : j
            guard Reader.languages[key(k + 1, range)] != nil else { return [] }
            return uses(after: k, in: range)
        case "teach":
            return phrase(after: j, in: range, maxWords: 6, rejectLeading: Reader.deictic).map {
                [.add(section: L.personal, text: "Teaches \($0)", slot: nil)]
            } ?? []
        case "run", "own", "manage":
            guard ["a", "an"].contains(key(j + 1, range)) else { return [] }
            guard let text = phrase(after: j, in: range, maxWords: 6, rejectLeading: Reader.deictic),
                  !Reader.containsAny(text, Reader.transientWork) else { return [] }
            let third = verb == "run" ? "Runs" : verb == "own" ? "Owns" : "Manages"
            return [.add(section: L.personal, text: "\(third) \(text)", slot: nil)]
        case "like", "love", "enjoy", "adore":
            return likes(after: j, in: range)
        case "prefer":
            return phrase(after: j, in: range, maxWords: 10, rejectLeading: Reader.deictic.union(["the"])).map {
                [.add(section: L.preferences, text: "Prefers \($0)", slot: nil)]
            } ?? []
        case "dislike", "hate", "detest", "loathe", "despise":
            return dislike(after: j, in: range)
        default:
            return []
        }
    }

    /// After "I am" (and "I have been" + -ing).
    func readAm(_ s: Int, at j: Int, in range: Range<Int>, noLonger: Bool) -> [LocalExtractor.Fact] {
        let w = key(j, range)
        if w == "not" {
            let k = skipAdverbs(j + 1, range)
            if noLonger { return removal(after: k - 1, in: range) }
            if key(k, range) == "a", key(k + 1, range) == "fan", key(k + 2, range) == "of" { return dislike(after: k + 2, in: range) }
            if key(k, range) == "a", ["big", "huge"].contains(key(k + 1, range)), key(k + 2, range) == "fan", key(k + 3, range) == "of" {
                return dislike(after: k + 3, in: range)
            }
            if key(k, range) == "into" { return dislike(after: k, in: range) }
            if ["keen", "fond"].contains(key(k, range)), ["on", "of"].contains(key(k + 1, range)) { return dislike(after: k + 1, in: range) }
            return []
        }
        if w == "no", key(j + 1, range) == "longer" { return removal(after: j + 1, in: range) }
        if noLonger { return [] }
        // "Hi, I'm Tomasz."
        if isGreeting(before: s), j < range.upperBound, t[j].isWord, t[j].isCapitalized,
           !Reader.notNames.contains(w), let name = name(from: j, in: range) {
            return [.add(section: L.personal, text: "Name: \(name)", slot: .name)]
        }
        switch w {
        case "a", "an", "the":
            let k = j + 1
            if key(k, range) == "fan", key(k + 1, range) == "of" { return likes(after: k + 1, in: range) }
            if ["big", "huge", "massive", "great"].contains(key(k, range)), key(k + 1, range) == "fan", key(k + 2, range) == "of" {
                return likes(after: k + 2, in: range)
            }
            if Reader.diets.contains(key(k, range)), !t[min(k + 1, t.count - 1)].isWord || k + 1 >= range.upperBound
                || !Reader.roleWords.contains(key(k + 1, range)) {
                return [.add(section: L.personal, text: "Diet: \(key(k, range))", slot: nil)]
            }
            return role(after: j, in: range)
        case "from":
            return place(after: j, in: range).map { [.add(section: L.personal, text: "From \($0)", slot: nil)] } ?? []
        case "based":
            var k = j + 1
            if key(k, range) == "out", key(k + 1, range) == "of" { k += 1 } else if key(k, range) != "in" { return [] }
            return place(after: k, in: range).map { [.add(section: L.personal, text: "Lives in \($0)", slot: .location)] } ?? []
        case "located", "living", "residing":
            guard key(j + 1, range) == "in" else { return [] }
            return place(after: j + 1, in: range).map { [.add(section: L.personal, text: "Lives in \($0)", slot: .location)] } ?? []
        case "called", "named":
            return name(from: j + 1, in: range, allowLowercase: false).map {
                [.add(section: L.personal, text: "Name: \($0)", slot: .name)]
            } ?? []
        case "into":
            return likes(after: j, in: range)
        case "keen", "fond":
            guard ["on", "of"].contains(key(j + 1, range)) else { return [] }
            return likes(after: j + 1, in: range)
        case "interested", "passionate", "curious":
            guard ["in", "about"].contains(key(j + 1, range)) else { return [] }
            return phrase(after: j + 1, in: range, maxWords: 8, rejectLeading: Reader.deictic).map {
                [.add(section: L.interests, text: "Interested in \($0)", slot: nil)]
            } ?? []
        case "on":
            let os = key(j + 1, range)
            guard Reader.operatingSystems.contains(os) else { return [] }
            return uses(after: j, in: range)
        case "using":
            guard !isTrouble(range) else { return [] }
            return uses(after: j, in: range)
        case "employed":
            if key(j + 1, range) == "as" { return roleAny(after: j + 1, in: range) }
            guard ["by", "at"].contains(key(j + 1, range)) else { return [] }
            return employer(after: j + 1, preposition: key(j + 1, range) == "by" ? "for" : "at", in: range)
        case "working":
            return readWork(at: j, in: range)
        default:
            if let gerund = Reader.projectVerbs[w] {
                guard !isTrouble(range) else { return [] }
                var k = j
                if w == "hacking" || w == "training" {
                    guard ["on", "for"].contains(key(j + 1, range)) else { return [] }
                    k = j + 1
                }
                return project(gerund, verb: w, after: k, in: range)
            }
            if Reader.diets.contains(w) { return [.add(section: L.personal, text: "Diet: \(w)", slot: nil)] }
            return []
        }
    }

    /// After "I work" / "I am working".
    func readWork(at j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        var k = skipAdverbs(j + 1, range)
        switch key(k, range) {
        case "as":
            return roleAny(after: k, in: range)
        case "at", "for":
            return employer(after: k, preposition: key(k, range), in: range)
        case "in":
            guard let what = phrase(after: k, in: range, maxWords: 4, rejectLeading: Reader.deictic.union(["a", "an"])) else { return [] }
            return [.add(section: L.personal, text: "Works in \(what)", slot: nil)]
        case "on":
            guard key(j, range) == "working" || key(j, range) == "work", !isTrouble(range) else { return [] }
            return project("Working on", verb: "working", after: k, in: range)
        case "remotely", "remote":
            k += 1
            guard key(k, range) == "from" else { return [.add(section: L.personal, text: "Works remotely", slot: nil)] }
            return place(after: k, in: range).map { [.add(section: L.personal, text: "Works remotely from \($0)", slot: nil)] } ?? []
        default:
            return []
        }
    }

    func readSwitch(_ verb: String, at j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        var k = j + 1
        if key(k, range) == "over" || key(k, range) == "back" { k += 1 }
        var from: String?
        if key(k, range) == "from" {
            guard let (phraseFrom, end) = shortName(after: k, in: range, stops: ["to", "for", "because", "last", "and"]) else { return [] }
            from = phraseFrom
            k = end
        }
        guard key(k, range) == "to" else { return [] }
        guard let (to, _) = shortName(after: k, in: range, stops: Reader.timeStops) else { return [] }
        let isTool = Reader.isKnownTool(to)
        if verb == "moved", !isTool {
            guard Reader.isCapitalizedPhrase(to) else { return [] }
            return [.change(from: from, to: to, fallback: "Lives in \(to)", slot: .location)]
        }
        return [.change(from: from, to: to, fallback: "Uses \(to)", slot: nil)]
    }

    // MARK: "my …"

    func readMy(_ m: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        var j = m + 1
        let first = key(j, range)
        if first == "name", ["is", "'s"].contains(key(j + 1, range)) {
            return name(from: j + 2, in: range, allowLowercase: true).map {
                [.add(section: L.personal, text: "Name: \($0)", slot: .name)]
            } ?? []
        }
        if first == "pronouns", key(j + 1, range) == "are" {
            return phrase(after: j + 1, in: range, maxWords: 3, rejectLeading: Reader.deictic).map {
                [.add(section: L.personal, text: "Pronouns: \($0)", slot: nil)]
            } ?? []
        }
        if first == "hobbies" || first == "interests", ["are", "include"].contains(key(j + 1, range)) {
            return likes(after: j + 1, in: range)
        }
        var adjective: String?
        if ["current", "main", "side", "latest", "new", "pet", "personal", "primary", "daily", "usual", "preferred",
            "favourite", "favorite", "day"].contains(first) {
            adjective = first
            j += 1
        }
        let noun = key(j, range)
        guard ["is", "are", "'s"].contains(key(j + 1, range)) else { return [] }
        let valueStart = j + 1
        if noun == "project" {
            guard !isTrouble(range), let what = phrase(after: valueStart, in: range, maxWords: 12, rejectLeading: Reader.deictic,
                                                        cutRelative: true),
                  !Reader.containsAny(what, Reader.transientWork) else { return [] }
            let label = adjective.map { Reader.capitalized($0) + " project" } ?? "Project"
            return [.add(section: L.projects, text: "\(label): \(what)", slot: nil)]
        }
        if noun == "job" || noun == "role" || noun == "title" || noun == "occupation" || noun == "profession" {
            if adjective == "day" || adjective == nil || adjective == "current" || adjective == "main" {
                return roleAny(after: valueStart, in: range)
            }
            return []
        }
        if Reader.setupNouns.contains(noun) {
            if adjective == "favourite" || adjective == "favorite" { return likes(after: valueStart, in: range) }
            return uses(after: valueStart, in: range)
        }
        if adjective == "favourite" || adjective == "favorite" { return likes(after: valueStart, in: range) }
        return []
    }

    // MARK: Imperatives and framings

    func readImperative(at s: Int, in range: Range<Int>) -> [LocalExtractor.Fact]? {
        let w = key(s, range)
        // "call me Sam"
        if w == "call", key(s + 1, range) == "me" {
            guard let n = name(from: s + 2, in: range, allowLowercase: false) else { return [] }
            return [.add(section: L.personal, text: "Name: \(n)", slot: .name)]
        }
        // "remember that …", "note for the future: …", "keep in mind …", "don't forget …"
        var body: Int?
        if w == "remember" {
            body = s + 1
        } else if w == "note", key(s + 1, range) == "for" || key(s + 1, range) == "that" || key(s + 1, range) == ":" {
            var k = s + 1
            if key(k, range) == "for" { while k < range.upperBound, t[k].key != ":", t[k].key != "that" { k += 1 } }
            body = k
        } else if w == "keep", key(s + 1, range) == "in", key(s + 2, range) == "mind" {
            body = s + 3
        } else if w == "do", key(s + 1, range) == "not", key(s + 2, range) == "forget" {
            body = s + 3
        }
        if var b = body {
            while b < range.upperBound, [":", ",", "-"].contains(t[b].key) || t[b].key == "that" { b += 1 }
            guard b < range.upperBound else { return [] }
            let first = t[b].key
            if ["to", "when", "what", "how", "the", "me", "this", "it", "why", "where", "who", "which", "if"].contains(first) {
                return []
            }
            return remembered(b..<t.count)
        }
        if w == "forget" {
            var b = s + 1
            while b < range.upperBound, [":", ","].contains(t[b].key) || ["that", "about"].contains(t[b].key) { b += 1 }
            guard b < t.count else { return [] }
            return [.remove(text(b..<t.count))]
        }
        // Standing instructions.
        var k = s
        var polarity = "Always"
        if w == "always" || w == "never" {
            polarity = w == "never" ? "Never" : "Always"
            k = s + 1
        } else if w == "do", key(s + 1, range) == "not", key(s + 2, range) == "ever" {
            polarity = "Never"
            k = s + 3
        } else if w == "from", key(s + 1, range) == "now", key(s + 2, range) == "on" {
            k = s + 3
        } else if w == "going", key(s + 1, range) == "forward" {
            k = s + 2
        } else if w == "in", key(s + 1, range) == "future" || (key(s + 1, range) == "the" && key(s + 2, range) == "future") {
            k = key(s + 1, range) == "future" ? s + 2 : s + 3
        } else if Reader.instructionVerbs.contains(w), endsWithStandingMarker(range) {
            k = s
        } else {
            return nil
        }
        while k < range.upperBound, t[k].kind == .mark || t[k].key == "please" { k += 1 }
        guard k < range.upperBound, Reader.instructionVerbs.contains(t[k].key) else { return [] }
        guard let body = instruction(from: k, in: range) else { return [] }
        return [.add(section: L.preferences, text: "\(polarity) \(body)", slot: nil)]
    }

    func endsWithStandingMarker(_ range: Range<Int>) -> Bool {
        let words = range.filter { t[$0].isWord }.map { t[$0].key }
        for marker in [["from", "now", "on"], ["going", "forward"], ["in", "future"], ["in", "the", "future"], ["always"]]
            where words.count > marker.count && Array(words.suffix(marker.count)) == marker { return true }
        return false
    }

    /// "As a nurse, I …", "as someone who lives in Norway".
    func readAsA(at s: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        guard key(s, range) == "as" else { return [] }
        if key(s + 1, range) == "someone", key(s + 2, range) == "who" {
            let verb = key(s + 3, range)
            if ["lives", "resides"].contains(verb), key(s + 4, range) == "in" {
                return place(after: s + 4, in: range).map { [.add(section: L.personal, text: "Lives in \($0)", slot: .location)] } ?? []
            }
            if verb == "works" { return readWork(at: s + 3, in: range) }
            return []
        }
        guard ["a", "an"].contains(key(s + 1, range)) else { return [] }
        // The role must be followed by "," or "I" and then a statement by the user.
        var end = s + 2
        while end < range.upperBound, t[end].isWord, t[end].key != "i" { end += 1 }
        guard end < range.upperBound, t[end].key == "," || t[end].key == "i" else { return [] }
        var next = end
        if t[next].key == "," { next += 1 }
        guard key(next, range) == "i" else { return [] }
        return role(after: s + 1, in: s..<end)
    }

    // MARK: - Captures

    func isGreeting(before s: Int) -> Bool {
        var j = s - 1
        while j >= 0, t[j].kind == .mark, [",", "!", "-"].contains(t[j].key) { j -= 1 }
        return j >= 0 && ["hi", "hello", "hey", "hiya", "greetings"].contains(t[j].key)
    }

    /// A name: one to three capitalised words (lowercase accepted only after "my name is",
    /// then capitalised). Titles such as `Dr.` are kept.
    func name(from j: Int, in range: Range<Int>, allowLowercase: Bool = false) -> String? {
        var words: [String] = []
        var k = j
        while k < range.upperBound, t[k].isWord, words.count < 4 {
            let w = t[k]
            if Reader.notNames.contains(w.key) || Reader.stopAfterName.contains(w.key) { break }
            if !w.isCapitalized {
                guard allowLowercase, words.count < 3 else { break }
            }
            words.append(w.isCapitalized ? w.text : Reader.capitalized(w.text))
            k += 1
        }
        guard !words.isEmpty, words.count <= 3 || words.first?.hasSuffix(".") == true else { return nil }
        guard words.contains(where: { !$0.hasSuffix(".") }) else { return nil }
        return words.joined(separator: " ")
    }

    /// A role noun phrase after "a/an/the" at `j`: modifiers then a role word.
    func role(after j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        var k = j + 1
        var words: [Token] = []
        var lastRole: Int?
        while k < range.upperBound, t[k].isWord, words.count < 6, !Reader.stopAfterRole.contains(t[k].key) {
            words.append(t[k])
            if Reader.roleWords.contains(t[k].key) || Reader.roleWords.contains(Reader.singular(t[k].key)) { lastRole = words.count }
            k += 1
        }
        guard let lastRole else { return [] }
        let np = Array(words[..<lastRole])
        if np.contains(where: { Reader.evaluative.contains($0.key) }) { return [] }
        var facts: [LocalExtractor.Fact] = [.add(section: L.personal, text: "Role: \(Reader.join(np))", slot: .role)]
        // "… engineer at Spotify" (not "… teacher for 20 years")
        let after = j + 1 + lastRole
        if key(after, range) == "at" {
            facts += employer(after: after, preposition: key(after, range), in: range)
        }
        return facts
    }

    /// Any short noun phrase after "as" / "is": "I work as a freelance illustrator".
    func roleAny(after j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        var k = j + 1
        while ["a", "an", "the", "mostly", "mainly", "primarily", "basically"].contains(key(k, range)) { k += 1 }
        var words: [Token] = []
        while k < range.upperBound, t[k].isWord, words.count < 7, !Reader.stopAfterRole.contains(t[k].key) {
            words.append(t[k])
            k += 1
        }
        while let last = words.last, Reader.trailingFiller.contains(last.key) || Reader.functionTail.contains(last.key) {
            words.removeLast()
        }
        guard !words.isEmpty, words.count <= 5, !words.contains(where: { Reader.evaluative.contains($0.key) }),
              !Reader.deictic.contains(words[0].key) else { return [] }
        var facts: [LocalExtractor.Fact] = [.add(section: L.personal, text: "Role: \(Reader.join(words))", slot: .role)]
        if ["at", "for"].contains(key(k, range)) { facts += employer(after: k, preposition: key(k, range), in: range) }
        return facts
    }

    func employer(after j: Int, preposition: String, in range: Range<Int>) -> [LocalExtractor.Fact] {
        var k = j + 1
        var words: [Token] = []
        if ["a", "an", "the"].contains(key(k, range)) {
            words.append(t[k])
            k += 1
            while k < range.upperBound, t[k].isWord, words.count < 5, !Reader.stopAfterPlace.contains(t[k].key) {
                words.append(t[k])
                k += 1
            }
            guard words.count >= 2, !words.dropFirst().contains(where: { Reader.notEmployers.contains($0.key) }) else { return [] }
        } else {
            while k < range.upperBound, t[k].isWord, words.count < 5 {
                let w = t[k]
                if w.isCapitalized || w.key.first?.isNumber == true { words.append(w); k += 1; continue }
                if ["of", "&", "and"].contains(w.key), k + 1 < range.upperBound, t[k + 1].isCapitalized {
                    words.append(w); k += 1; continue
                }
                break
            }
            guard !words.isEmpty, !Reader.notEmployers.contains(words[0].key), words[0].key != "i",
                  words[0].text.contains(where: { $0.isLetter }) else { return [] }
        }
        let name = Reader.join(words)
        let facts: [LocalExtractor.Fact] = [.add(section: L.personal, text: "Works \(preposition) \(name)", slot: .employer)]
        if key(k, range) == "as" { return facts + roleAny(after: k, in: range) }
        return facts
    }

    /// A place: capitalised words (with `of`, `de`, `upon` … between them), an optional
    /// leading "the", an optional ", Country".
    func place(after j: Int, in range: Range<Int>) -> String? {
        var k = j + 1
        var words: [Token] = []
        if key(k, range) == "the", k + 1 < range.upperBound, t[k + 1].isCapitalized { words.append(t[k]); k += 1 }
        func capitalisedRun() {
            while k < range.upperBound, t[k].isWord, words.count < 5 {
                if t[k].isCapitalized, !Reader.notPlaces.contains(t[k].key) { words.append(t[k]); k += 1; continue }
                if ["of", "de", "do", "da", "del", "upon", "am", "on", "la", "le"].contains(t[k].key), !words.isEmpty,
                   k + 1 < range.upperBound, t[k + 1].isCapitalized { words.append(t[k]); k += 1; continue }
                break
            }
        }
        capitalisedRun()
        guard !words.isEmpty, words.last?.key != "the" else { return nil }
        // "Lisbon, Portugal"
        if key(k, range) == ",", k + 1 < range.upperBound, t[k + 1].isCapitalized, !Reader.notPlaces.contains(t[k + 1].key) {
            let save = words.count
            let comma = k
            k += 1
            var country: [Token] = []
            while k < range.upperBound, t[k].isWord, t[k].isCapitalized, country.count < 3 { country.append(t[k]); k += 1 }
            if k == range.upperBound || t[k].kind == .mark || ["and", "but", "so"].contains(t[k].key) {
                return Reader.join(Array(words[..<save])) + ", " + Reader.join(country)
            }
            k = comma
        }
        return Reader.join(words)
    }

    /// "Vim", "Fly.io", "the Colemak layout": up to four words, up to a stop word.
    func shortName(after j: Int, in range: Range<Int>, stops: Set<String>) -> (String, Int)? {
        var k = j + 1
        var words: [Token] = []
        while k < range.upperBound, t[k].isWord, words.count < 5, !stops.contains(t[k].key) {
            words.append(t[k])
            k += 1
        }
        while let last = words.last, Reader.trailingFiller.contains(last.key) || Reader.functionTail.contains(last.key) {
            words.removeLast()
        }
        guard !words.isEmpty, words.count <= 4, !Reader.deictic.contains(words[0].key),
              !words.contains(where: { Reader.secondPerson.contains($0.key) }) else { return nil }
        if ["the", "a", "an"].contains(words[0].key), words.count < 2 || !words[1].isCapitalized { return nil }
        guard words[0].isCapitalized || Reader.isKnownTool(words[0].key) || ["the", "a", "an"].contains(words[0].key) else { return nil }
        return (Reader.join(words), k)
    }

    func uses(after j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        var k = j + 1
        var words: [Token] = []
        while k < range.upperBound, t[k].isWord, words.count < 7, !Reader.stopAfterTool.contains(t[k].key) {
            if t[k].key == "and", k + 1 < range.upperBound, Reader.subjectsAndQuestionWords.contains(t[k + 1].key) { break }
            words.append(t[k])
            k += 1
        }
        while let last = words.last, Reader.trailingFiller.contains(last.key) || Reader.functionTail.contains(last.key) {
            words.removeLast()
        }
        guard let first = words.first, words.count <= 6, !Reader.deictic.contains(first.key),
              !Reader.particles.contains(first.key), !words.contains(where: { Reader.secondPerson.contains($0.key) }) else { return [] }
        if ["a", "an", "the"].contains(first.key) {
            guard words.count > 1, words[1].isCapitalized else { return [] }
        }
        return [.add(section: L.personal, text: "Uses \(Reader.join(words))", slot: nil)]
    }

    func likes(after j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        guard let what = phrase(after: j, in: range, maxWords: 8, rejectLeading: Reader.deictic.union(["the", "my", "when", "to"]))
        else { return [] }
        return [.add(section: L.interests, text: "Likes \(what)", slot: nil)]
    }

    func dislike(after j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        guard let what = phrase(after: j, in: range, maxWords: 8, rejectLeading: Reader.deictic.union(["the", "my", "when"]))
        else { return [] }
        return [.add(section: L.preferences, text: "Dislikes \(what)", slot: nil)]
    }

    /// What "no longer …" / "stopped …" / "left …" names: the words after `j` (leading
    /// prepositions skipped) up to a clause or time word.
    func removal(after j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        var start = j + 1
        while start < range.upperBound, t[start].isWord, ["at", "in", "for", "on", "with", "to", "a", "an", "the"].contains(t[start].key) {
            start += 1
        }
        var end = start
        while end < range.upperBound, t[end].isWord, !Reader.removalStops.contains(t[end].key) { end += 1 }
        guard end > start else { return [] }
        return [.remove(text(start..<end))]
    }

    static let removalStops: Set<String> = ["anymore", "in", "on", "at", "last", "after", "because", "since", "ago", "and",
                                            "but", "so", "when", "this", "for", "years", "months", "recently", "now",
                                            "yesterday", "today", "either", "any", "though"]

    func project(_ gerund: String, verb: String, after j: Int, in range: Range<Int>) -> [LocalExtractor.Fact] {
        guard let what = phrase(after: j, in: range, maxWords: 12, rejectLeading: Reader.deictic.union(["it", "on"]),
                                cutRelative: true) else { return [] }
        if Reader.containsAny(what, Reader.transientWork) { return [] }
        if verb == "writing", !Reader.containsAny(what, Reader.durableWorks) { return [] }
        let section = verb == "learning" || verb == "studying" ? L.interests : L.projects
        return [.add(section: section, text: "\(gerund) \(what)", slot: nil)]
    }

    /// The words after `j` up to a clause boundary, trimmed, as bullet text.
    /// `cutRelative`: a long phrase is cut before "that/which/who" or at `maxWords`
    /// (projects); otherwise a phrase over `maxWords` gives nothing.
    func phrase(after j: Int, in range: Range<Int>, maxWords: Int, rejectLeading: Set<String>,
                cutRelative: Bool = false) -> String? {
        var k = j + 1
        var words: [Token] = []
        while k < range.upperBound {
            let w = t[k]
            if w.kind == .opaque { if words.isEmpty { return nil } else { break } }
            if w.kind == .mark {
                if w.key == "&" || w.key == "+" || w.key == "/" { words.append(w); k += 1; continue }
                break
            }
            if Reader.clauseStops.contains(w.key) { break }
            if w.key == "and" || w.key == "or", k + 1 < range.upperBound, Reader.subjectsAndQuestionWords.contains(t[k + 1].key) { break }
            if cutRelative, ["that", "which", "who"].contains(w.key), words.count >= 3 { break }
            if words.count >= 14 { break }
            words.append(w)
            k += 1
        }
        while let last = words.last, Reader.trailingFiller.contains(last.key) || Reader.functionTail.contains(last.key) {
            words.removeLast()
        }
        for filler in Reader.trailingPhrases {
            if words.count > filler.count, Array(words.suffix(filler.count).map(\.key)) == filler {
                words.removeLast(filler.count)
            }
        }
        while let last = words.last, Reader.trailingFiller.contains(last.key) || Reader.functionTail.contains(last.key) {
            words.removeLast()
        }
        guard let first = words.first, !rejectLeading.contains(first.key), !Reader.particles.contains(first.key) else { return nil }
        if words.contains(where: { Reader.secondPerson.contains($0.key) || $0.key == "me" }) { return nil }
        if !cutRelative, words.count > maxWords { return nil }
        if words.count > maxWords {
            words = Array(words.prefix(maxWords))
            while let last = words.last, Reader.functionTail.contains(last.key) { words.removeLast() }
        }
        return words.isEmpty ? nil : Reader.join(words)
    }

    /// The text of an instruction from its verb, cut before "when/if … me/you" tails.
    func instruction(from k: Int, in range: Range<Int>) -> String? {
        var words: [Token] = []
        var j = k
        while j < range.upperBound, words.count < 14 {
            let w = t[j]
            if w.kind == .opaque { return nil }
            if w.kind == .mark { if [",", ";", "(", ":"].contains(w.key) { break } else { j += 1; continue } }
            if ["when", "if", "unless", "because", "since", "so", "as", "whenever"].contains(w.key), words.count >= 2 { break }
            words.append(w)
            j += 1
        }
        // Drop a trailing "from now on" / "going forward" / "always" / "in your replies".
        for marker in [["from", "now", "on"], ["going", "forward"], ["in", "the", "future"], ["in", "future"], ["always"],
                       ["in", "your", "replies"], ["in", "your", "answers"], ["in", "your", "responses"], ["please"]] {
            if words.count > marker.count, Array(words.suffix(marker.count).map(\.key)) == marker { words.removeLast(marker.count) }
        }
        // "give me metric units" → "give metric units".
        if words.count > 1, words[1].key == "me" { words.remove(at: 1) }
        if let you = words.firstIndex(where: { Reader.secondPerson.contains($0.key) || $0.key == "me" }) {
            var cut = you
            while cut > 0, !["in", "to", "for", "with", "when", "on", "at"].contains(words[cut - 1].key) { cut -= 1 }
            words = Array(words[..<(cut > 0 ? cut - 1 : you)])
        }
        while let last = words.last, Reader.functionTail.contains(last.key) { words.removeLast() }
        guard words.count >= 2, words.count <= 12 else { return nil }
        var text = Reader.join(words)
        if let first = text.first { text = String(first).lowercased() + text.dropFirst() }
        return text
    }

    /// "remember that X": X read by the patterns, else X itself in the third person.
    func remembered(_ range: Range<Int>) -> [LocalExtractor.Fact] {
        let inner = Reader(sentence: Array(t[range]))
        let found = inner.segments().flatMap { inner.read($0) }
        if !found.isEmpty { return found }
        if inner.isQuestion { return [] }
        guard let text = Reader.thirdPerson(Array(t[range])) else { return [] }
        // "remember: never use tabs" is an instruction; "remember I always deploy on Fridays" a fact.
        let first = t[range].first(where: { $0.isWord })?.key ?? ""
        let section = ["always", "never", "prefer", "please"].contains(first) ? L.preferences : L.personal
        return [.add(section: section, text: text, slot: nil)]
    }

    func text(_ range: Range<Int>) -> String {
        Reader.join(range.filter { t[$0].kind != .opaque }.map { t[$0] })
    }

    // MARK: - Word lists

    static let questionStarts: Set<String> = questionWords
    static let deictic: Set<String> = ["this", "that", "these", "those", "it", "them", "him", "her", "his", "hers",
                                       "their", "theirs", "our", "ours", "which", "what", "how", "when", "where", "why",
                                       "who", "if", "whether", "something", "anything", "everything", "nothing", "one",
                                       "you", "your", "yours", "u", "ur", "some", "any", "such", "so", "not", "no",
                                       "i", "me", "myself", "we", "us", "they", "he", "she", "here", "there", "both",
                                       "either", "neither", "doing", "being", "getting", "having", "is", "was"]
    static let secondPerson: Set<String> = ["you", "your", "yours", "yourself", "u", "ur"]
    static let particles: Set<String> = ["up", "out", "off", "about", "around", "over", "down", "back", "away", "in", "on",
                                         "at", "by", "for", "with", "to", "from", "as"]
    static let clauseStops: Set<String> = ["but", "because", "since", "although", "though", "while", "whereas", "so",
                                           "if", "unless", "when", "whenever", "where", "cause", "cuz", "except", "which",
                                           "anymore", "instead", "btw", "lol", "haha", "please", "thanks", "thank",
                                           "however", "therefore", "otherwise", "whether", "until"]
    static let stopAfterRole: Set<String> = ["at", "in", "for", "with", "from", "on", "who", "that", "which", "and",
                                             "but", "so", "working", "by", "because", "since", "when", "where", "while",
                                             "of", "to", "based", "living", "currently", "here", "there", "now", "too",
                                             "also", "though", "not", "or", "who's", "myself", "mostly", "like",
                                             "looking", "trying", "wanting", "learning", "specialising", "specializing",
                                             "i", "just", "really", "than", "into", "over", "doing", "using", "as",
                                             "is", "am", "are", "was", "do", "it", "this", "these", "days", "lol"]
    static let stopAfterPlace: Set<String> = ["in", "on", "at", "for", "with", "from", "as", "who", "that", "which",
                                              "and", "but", "so", "doing", "where", "when", "since", "because", "near",
                                              "while", "to", "by", "during", "i", "we", "now", "though", "too", "also"]
    static let stopAfterTool: Set<String> = ["for", "to", "at", "in", "on", "with", "because", "since", "as", "when",
                                             "while", "instead", "over", "but", "so", "every", "daily", "all", "whenever",
                                             "if", "which", "that", "who", "mostly", "mainly", "a", "lot", "too",
                                             "these", "nowadays", "now", "though", "btw", "lol", "anymore", "than",
                                             "exclusively", "professionally", "personally", "both", "day", "from", "is",
                                             "was", "are", "do", "does"]
    static let timeStops: Set<String> = ["last", "recently", "this", "for", "because", "since", "at", "in", "and", "but",
                                         "so", "when", "after", "about", "ago", "years", "months", "weeks", "yesterday",
                                         "today", "now", "a", "which", "who", "that", "earlier", "lately", "back",
                                         "entirely", "completely", "full-time"]
    static let trailingFiller: Set<String> = ["really", "too", "also", "though", "lol", "haha", "btw", "nowadays", "lately",
                                              "recently", "anyway", "honestly", "tbh", "please", "now", "currently",
                                              "mostly", "mainly", "generally", "anymore", "actually", "personally",
                                              "either", "especially", "definitely", "ok", "okay", "thanks"]
    static let trailingPhrases: [[String]] = [
        ["very", "much"], ["a", "lot"], ["so", "much"], ["as", "well"], ["by", "the", "way"], ["these", "days"],
        ["at", "the", "moment"], ["right", "now"], ["for", "now"], ["last", "year"], ["last", "month"],
        ["last", "week"], ["this", "year"], ["these", "days"], ["in", "general"], ["a", "bit"], ["at", "work"],
        ["every", "day"], ["for", "fun"], ["for", "everything"], ["for", "years"], ["for", "a", "while"],
        ["full", "time"], ["part", "time"], ["online"],
    ]
    static let functionTail: Set<String> = ["a", "an", "the", "and", "or", "but", "of", "for", "in", "on", "at", "to",
                                            "with", "by", "from", "as", "so", "that", "which", "who", "my", "very",
                                            "some", "is", "are", "am", "like", "&", "+", "/"]
    static let evaluative: Set<String> = ["good", "bad", "great", "terrible", "awful", "horrible", "better", "worse",
                                          "best", "worst", "decent", "mediocre", "lazy", "real", "total", "complete",
                                          "huge", "big", "little", "bit", "kind", "sort", "wannabe", "wanna-be", "fake",
                                          "failed", "former", "ex", "future", "would-be", "lousy", "poor", "lame",
                                          "crappy", "shitty", "useless", "hopeless", "bored", "tired", "typical",
                                          "stupid", "dumb", "smart", "genius", "proud", "happy", "sad", "busy", "hard", "careful", "slow", "fast",
                                          "quick", "picky", "heavy", "light", "massive", "nice", "cool", "weird"]
    static let notNames: Set<String> = ["a", "an", "the", "not", "just", "here", "back", "sorry", "fine", "good", "new",
                                        "so", "very", "really", "still", "in", "on", "at", "from", "ok", "okay", "glad",
                                        "english", "french", "spanish", "german", "italian", "american", "british",
                                        "canadian", "australian", "indian", "chinese", "japanese", "korean",
                                        "brazilian", "mexican", "dutch", "polish", "swedish", "irish", "scottish",
                                        "welsh", "portuguese", "russian", "ukrainian", "turkish", "greek", "trying",
                                        "looking", "working", "building", "using", "curious", "wondering", "afraid",
                                        "stuck", "confused", "interested", "into", "based", "going", "done",
                                        "i", "ai", "it", "that", "this", "there", "what", "your", "you", "me", "my"]
    static let stopAfterName: Set<String> = ["and", "but", "so", "by", "in", "from", "not", "or", "is", "the", "a",
                                             "please", "instead", "now", "on", "at", "for", "with", "i", "to"]
    static let notPlaces: Set<String> = ["i", "the", "a", "my", "monday", "tuesday", "wednesday", "thursday", "friday",
                                         "saturday", "sunday", "january", "february", "march", "april", "may", "june",
                                         "july", "august", "september", "october", "november", "december", "utc", "gmt",
                                         "am", "pm"]
    static let notEmployers: Set<String> = ["home", "night", "nights", "weekends", "weekend", "morning", "mornings",
                                            "evening", "evenings", "moment", "least", "most", "once", "first", "same",
                                            "end", "myself", "free", "fun", "money", "a", "an", "me", "you", "it", "this",
                                            "that", "them", "hours", "times", "time", "day", "days", "week", "year",
                                            "years", "months", "while", "living", "i", "now", "work", "scale"]
    static let diets: Set<String> = ["vegetarian", "vegan", "pescatarian"]

    static let projectVerbs: [String: String] = [
        "building": "Building", "developing": "Developing", "making": "Making", "creating": "Creating",
        "writing": "Writing", "designing": "Designing", "coding": "Coding", "prototyping": "Prototyping",
        "hacking": "Hacking on", "learning": "Learning", "studying": "Studying", "training": "Training for",
        "organizing": "Organizing", "organising": "Organising", "launching": "Launching", "maintaining": "Maintaining",
        "running": "Running", "starting": "Starting",
    ]
    static let switchVerbs: Set<String> = ["switched", "moved", "migrated", "changed", "transitioned", "gone", "converted"]
    /// Verbs whose object a "no longer"/"not … anymore" removes.
    static let lastingVerbs: Set<String> = ["use", "work", "live", "like", "love", "enjoy", "do", "play", "write", "code",
                                            "program", "teach", "own", "run", "study", "have", "prefer", "eat", "drink",
                                            "watch", "follow", "care", "need", "want", "speak", "build", "maintain"]
    static let instructionVerbs: Set<String> = ["answer", "reply", "respond", "use", "write", "give", "include", "explain",
                                                "show", "keep", "format", "add", "cite", "be", "speak", "talk", "call",
                                                "address", "assume", "ask", "put", "avoid", "start", "end", "mention",
                                                "provide", "stick", "return", "list", "suggest", "recommend", "translate",
                                                "spell", "default", "prefer", "check",
                                                "double-check", "summarize", "summarise", "label", "prefix", "sign",
                                                "measure", "quote", "link", "comment", "type", "tell", "make", "follow",
                                                "apply", "convert", "express", "present", "wrap", "limit", "skip"]
    static let setupNouns: Set<String> = ["editor", "ide", "shell", "os", "distro", "terminal", "language", "stack",
                                          "laptop", "browser", "machine", "computer", "setup", "database", "framework",
                                          "languages", "tools", "toolchain", "phone", "keyboard", "layout"]
    static let transientWork: Set<String> = ["function", "method", "script", "query", "bug", "bugs", "fix", "issue", "error",
                                             "email", "e-mail", "letter", "message", "reply", "response", "answer", "regex",
                                             "loop", "class", "component", "pr", "pull", "commit", "migration",
                                             "question", "homework", "assignment", "exercise", "essay", "tweet", "post",
                                             "cover", "resume", "cv", "speech", "toast", "prompt", "snippet", "line",
                                             "code", "patch", "feature", "ticket", "task", "test", "tests", "slide",
                                             "slides", "presentation", "report", "summary", "list", "plan", "note",
                                             "notes", "draft", "dinner", "lunch", "breakfast", "coffee",
                                             "mistake", "decision", "choice", "call", "problem", "difference", "sense",
                                             "progress", "way", "point", "sure", "money", "time", "it", "this", "that",
                                             "something", "anything", "stuff", "things", "thing", "lot", "mess",
                                             "request", "comparison", "table", "dataframe", "spreadsheet", "docstring", "readme", "changelog"]
    static let durableWorks: Set<String> = ["book", "novel", "thesis", "dissertation", "compiler", "interpreter", "game",
                                            "app", "application", "library", "framework", "tool", "cli", "plugin",
                                            "add-on", "addon", "extension", "engine", "os", "kernel", "emulator",
                                            "website", "site", "service", "parser", "database", "language", "blog",
                                            "newsletter", "series", "course", "textbook", "paper", "screenplay",
                                            "memoir", "biography", "album", "play", "musical", "podcast", "sdk", "api",
                                            "bot", "server", "client", "editor", "shell", "terminal", "package",
                                            "module", "crate", "gem", "firmware", "simulator",                                             "platform", "product", "startup", "saas", "system", "dashboard", "manual",
                                            "guide", "cookbook", "collection", "column", "comic", "manga", "memory"]
    static let operatingSystems: Set<String> = ["mac", "macos", "osx", "linux", "windows", "ubuntu", "arch", "fedora",
                                                "debian", "nixos", "wsl", "chromeos", "freebsd", "openbsd", "android",
                                                "ios", "manjaro", "mint", "pop_os", "gentoo", "void", "alpine"]
    static let roleWords: Set<String> = [
        "developer", "dev", "engineer", "programmer", "coder", "designer", "architect", "teacher", "tutor", "lecturer",
        "professor", "instructor", "educator", "nurse", "doctor", "physician", "surgeon", "dentist", "pharmacist",
        "therapist", "psychologist", "psychiatrist", "paramedic", "midwife", "veterinarian", "vet", "scientist",
        "researcher", "student", "postdoc", "undergrad", "undergraduate", "analyst", "consultant", "manager",
        "director", "lead", "founder", "cofounder", "co-founder", "ceo", "cto", "cfo", "coo", "cio", "vp", "pm",
        "sre", "sysadmin", "administrator", "admin", "devops", "writer", "author", "journalist", "editor",
        "translator", "copywriter", "blogger", "lawyer", "attorney", "paralegal", "solicitor", "barrister",
        "accountant", "bookkeeper", "auditor", "economist", "statistician", "mathematician", "physicist", "chemist",
        "biologist", "geologist", "historian", "linguist", "librarian", "archivist", "artist", "illustrator",
        "animator", "photographer", "musician", "composer", "producer", "filmmaker", "actor", "actress", "chef",
        "baker", "barista", "farmer", "gardener", "mechanic", "electrician", "plumber", "carpenter",
        "builder", "pilot", "firefighter", "officer", "soldier", "technician", "intern", "apprentice",
        "freelancer", "contractor", "entrepreneur", "marketer", "recruiter", "salesperson", "tester", "maintainer",
        "specialist", "coordinator", "assistant", "secretary", "receptionist", "clerk", "cashier", "caregiver",
        "carer", "planner", "strategist", "hacker", "retiree", "pensioner", "homemaker", "principal",
        "dean", "counselor", "counsellor", "coach", "trainer", "investor", "banker", "trader", "broker", "realtor", "surveyor", "inspector",
        "detective", "judge", "priest", "pastor", "rabbi", "imam", "minister", "politician",
        "diplomat", "volunteer", "organizer", "organiser", "moderator", "streamer",
        "youtuber", "podcaster",         "sysops", "dba", "qa", "swe", "sde", "mle", "nurse-practitioner", "physiotherapist",
        "optometrist", "radiologist", "anesthesiologist", "pediatrician", "cardiologist", "medic",
        "scholar", "tradesperson", "welder", "machinist",
        "operator", "dispatcher", "nanny", "babysitter",
    ]
    static let languages: [String: String] = [
        "rust": "Rust", "go": "Go", "golang": "Go", "python": "Python", "javascript": "JavaScript", "js": "JavaScript",
        "typescript": "TypeScript", "ts": "TypeScript", "java": "Java", "kotlin": "Kotlin", "swift": "Swift",
        "ruby": "Ruby", "php": "PHP", "c": "C", "c++": "C++", "cpp": "C++", "c#": "C#", "f#": "F#",
        "haskell": "Haskell", "ocaml": "OCaml", "elixir": "Elixir", "erlang": "Erlang", "clojure": "Clojure",
        "scala": "Scala", "lua": "Lua", "julia": "Julia", "dart": "Dart", "zig": "Zig", "nim": "Nim", "sql": "SQL",
        "bash": "Bash", "perl": "Perl", "r": "R", "fortran": "Fortran", "cobol": "COBOL", "lisp": "Lisp",
        "scheme": "Scheme", "racket": "Racket", "elm": "Elm", "matlab": "MATLAB", "solidity": "Solidity",
        "html": "HTML", "css": "CSS", "objective-c": "Objective-C", "gleam": "Gleam", "crystal": "Crystal",
        "powershell": "PowerShell", "vhdl": "VHDL", "verilog": "Verilog", "assembly": "assembly", "prolog": "Prolog",
    ]
    static let tools: [String: String] = [
        "vim": "Vim", "neovim": "Neovim", "nvim": "Neovim", "emacs": "Emacs", "vscode": "VS Code", "tmux": "tmux",
        "zsh": "zsh", "fish": "fish", "linux": "Linux", "macos": "macOS", "osx": "macOS", "windows": "Windows",
        "ubuntu": "Ubuntu", "debian": "Debian", "fedora": "Fedora", "arch": "Arch", "nixos": "NixOS", "docker": "Docker",
        "kubernetes": "Kubernetes", "k8s": "Kubernetes", "postgres": "Postgres", "postgresql": "PostgreSQL",
        "mysql": "MySQL", "sqlite": "SQLite", "redis": "Redis", "git": "Git", "react": "React", "vue": "Vue",
        "svelte": "Svelte", "django": "Django", "flask": "Flask", "rails": "Rails", "ios": "iOS", "android": "Android",
        "xcode": "Xcode", "intellij": "IntelliJ", "pycharm": "PyCharm", "obsidian": "Obsidian", "notion": "Notion",
        "jupyter": "Jupyter", "pandas": "pandas", "numpy": "NumPy", "pytorch": "PyTorch", "tensorflow": "TensorFlow",
        "aws": "AWS", "gcp": "GCP", "azure": "Azure", "terraform": "Terraform", "ansible": "Ansible", "nix": "Nix",
        "helix": "Helix", "zed": "Zed", "sublime": "Sublime Text", "jetbrains": "JetBrains", "iphone": "iPhone",
        "mac": "Mac", "heroku": "Heroku", "vercel": "Vercel", "netlify": "Netlify", "firebase": "Firebase",
        "supabase": "Supabase", "mongodb": "MongoDB", "kafka": "Kafka", "spark": "Spark", "airflow": "Airflow",
        "excel": "Excel", "figma": "Figma", "slack": "Slack", "jira": "Jira", "linear": "Linear", "github": "GitHub",
        "gitlab": "GitLab", "colemak": "Colemak", "dvorak": "Dvorak", "qwerty": "QWERTY", "llm": "llm",
    ]

    static func isKnownTool(_ text: String) -> Bool {
        let lower = text.lowercased()
        return languages[lower] != nil || tools[lower] != nil || operatingSystems.contains(lower)
            || lower.split(separator: " ").contains { tools[String($0)] != nil || languages[String($0)] != nil }
    }

    static func isCapitalizedPhrase(_ text: String) -> Bool {
        text.unicodeScalars.first.map { $0.properties.isUppercase } ?? false
            || text.lowercased().hasPrefix("the ")
    }

    static func singular(_ w: String) -> String { w.count > 3 && w.hasSuffix("s") ? String(w.dropLast()) : w }

    static func containsAny(_ text: String, _ words: Set<String>) -> Bool {
        BulletMatcher.normalize(text).split(separator: " ").contains { words.contains(String($0)) || words.contains(singular(String($0))) }
    }

    static func capitalized(_ word: String) -> String {
        guard let first = word.first else { return word }
        return String(first).uppercased() + word.dropFirst()
    }

    /// Joins tokens into text: no space before `,` `.` `;` `:` `!` `?` `)`, none after `(`;
    /// known languages and tools spelled canonically; "my" → "their".
    static func join(_ tokens: [Token]) -> String {
        var out = ""
        var previous: Token?
        for token in tokens {
            var text = token.text
            if token.kind == .word {
                if token.text.isEmpty { continue }  // the expanded part of a contraction (kept whole in the first part)
                if token.key == "my" {
                    text = "their"
                } else if token.key == "myself" {
                    text = "themselves"
                } else if let canonical = languages[token.key] ?? tools[token.key], token.key.count > 1 || token.isCapitalized {
                    text = canonical
                }
            }
            let attachesLeft = token.kind == .mark && [",", ".", ";", ":", "!", "?", ")", "/", "+"].contains(token.key)
            let attachesRight = previous.map { $0.kind == .mark && ["(", "/", "+"].contains($0.key) } ?? true
            if !out.isEmpty, !attachesLeft, !attachesRight { out += " " }
            out += text
            previous = token
        }
        return out.trimmingWhitespace()
    }

    /// "I'm allergic to peanuts" → "Allergic to peanuts"; "I have two cats" → "Has two
    /// cats"; "my birthday is …" → "Birthday is …"; others capitalised as they are.
    static func thirdPerson(_ tokens: [Token]) -> String? {
        // Quoted or redacted text inside: not the user's own fact to store.
        guard !tokens.contains(where: { $0.kind == .opaque }) else { return nil }
        var words = tokens
        while let last = words.last, last.kind == .mark { words.removeLast() }
        guard !words.isEmpty, words.count <= 24 else { return nil }
        var lead = ""
        if words.first?.key == "i" {
            words.removeFirst()
            // "I always deploy on Fridays" → "Always deploys on Fridays".
            var adverbs: [Token] = []
            while let first = words.first, first.isWord, ["always", "usually", "never", "often", "sometimes", "mostly", "really",
                                                          "also", "still", "just", "generally", "normally"].contains(first.key) {
                adverbs.append(first)
                words.removeFirst()
            }
            if !adverbs.isEmpty { lead = join(adverbs) + " " }
            guard let verb = words.first else { return nil }
            switch verb.key {
            case "am":
                words.removeFirst()
                if ["a", "an"].contains(words.first?.key ?? "") { words.removeFirst() }
                lead = lead.trimmingWhitespace()
            case "have":
                words.removeFirst()
                if words.first?.key == "got" { words.removeFirst() }
                lead += "has"
            case "do":
                words.removeFirst()
                if words.first?.key == "not" { words.removeFirst(); lead += "doesn't" } else { lead += "does" }
            case "can", "will", "would", "should", "must", "might", "could":
                words.removeFirst()
                if words.first?.key == "not" { words.removeFirst(); lead += verb.key == "can" ? "can't" : verb.key + " not" }
                else { lead += verb.key }
            default:
                words.removeFirst()
                lead += thirdPersonVerb(verb.text.isEmpty ? verb.key : verb.text.lowercased())
            }
        } else if words.first?.key == "my" {
            words.removeFirst()
        }
        // Remaining first person, as the third.
        for i in words.indices where words[i].isWord {
            switch words[i].key {
            case "i": words[i].text = "they"
            case "me": words[i].text = "them"
            case "am": words[i].text = words[i].text.isEmpty ? "" : "are"
            default: break
            }
        }
        var text = join(words)
        if !lead.isEmpty { text = text.isEmpty ? lead : lead + " " + text }
        while let last = text.last, ".!,;:".contains(last) { text.removeLast() }
        guard !text.isEmpty else { return nil }
        return capitalized(text)
    }

    static func thirdPersonVerb(_ verb: String) -> String {
        switch verb {
        case "have": return "has"
        case "do": return "does"
        case "go": return "goes"
        case "am": return "is"
        default: break
        }
        if verb.hasSuffix("s") || verb.hasSuffix("sh") || verb.hasSuffix("ch") || verb.hasSuffix("x") || verb.hasSuffix("z")
            || verb.hasSuffix("o") { return verb + "es" }
        if verb.hasSuffix("y"), verb.count > 1 {
            let beforeY = verb.dropLast().last!
            if !"aeiou".contains(beforeY) { return String(verb.dropLast()) + "ies" }
        }
        return verb + "s"
    }
}
