/// The gate: a cheap test, before any model call, of whether an exchange could say
/// something about the user. Exchanges it drops are still read — they are in the delta's
/// `sources` and `through` moves past them — they are just never sent to a model (or to
/// the `local` extractor).
///
/// It reads only the user's typed prompt: a `null` or empty prompt (a tool-result
/// follow-up, a fragment-only call) is dropped; the system prompt, fragments and the
/// assistant's reply are never looked at. Within the prompt it reads only the user's own
/// lines (`UserText`: no code blocks, quoted lines, log or code lines, pasted text after
/// "here is …:" / "summarize this:", quotations). Words are whole tokens, so `I/O`,
/// `my_var`, `I0501` and `i++` are not "I" and "my".
///
/// An exchange passes when its own text has any of these signs:
/// 1. A first-person-singular word — `I`, `me`, `my`, `mine`, `myself` and the
///    contractions `I'm`, `I've`, `I'd`, `I'll` (also `im`, `ive`; any case; `’` is an
///    apostrophe) — that is not part of a task phrase, where "I"/"me"/"my" carry no fact
///    (the complete list is `taskPhrases`; contractions are expanded, so "can't" is
///    `can not` and "I'm" is `I am`):
///    - questions: `how/what/where/why/when/which/who … do/can/should/would/could/will/am/
///      did I`, `what I`, `why can not I`, `can/could/should/may/do/did/am/would/will/have/
///      shall/must I`, `why does/is/are my`, `is/are/does/did my`;
///    - conditions and hypotheticals: `if/when/whenever/once/after/before/while/until/
///      unless/whether/than/like I`, `every/each time I`, `so (that) I (can)`, `suppose/
///      imagine/pretend/assume/say/hypothetically I`;
///    - task talk: `I get/got/am getting/keep getting/see/am seeing/saw/tried/have tried/
///      try/am trying/ran/run/wrote/have written/made/changed/added/removed/installed/
///      updated/upgraded/deployed/used/copied/pasted/followed/did/found/noticed/notice/
///      expected/expect`, `I need to`, `I need you to`, `I need help`, `I want to`,
///      `I want you to`, `I would`, `I could`, `I will`, `I am going to`, `I was`, `I had`,
///      `I should`, `I have to`, `I must`, `I think/thought/guess/mean/meant/wonder/hope/bet/
///      suppose/agree/disagree/understand/appreciate/apologize`, `I was/am wondering`,
///      `I feel like`, `I do not understand/get/know/see/think`, `I know that/this/it/what/
///      how/why/you/there/if/whether`, `I am (not) sure`, `I am confused/stuck/curious/
///      sorry/looking for/asking`, `I asked/said`, `I have a question/problem/issue/doubt`,
///      `I have some/two questions`, and `I have` followed within three words by a thing
///      worked on (`artifacts`). Words such as `just`, `really`, `still`, `also`, `always`
///      (`adverbs`) between `I` and the verb are skipped. Exceptions
///      (`taskPhraseExceptions`): `I run a/an/my`, `I changed from/to/jobs/careers/teams`,
///      `I made the`, `I got a/an/married/promoted/hired`, `I used to` are statements;
///    - `me` right after a request verb or preposition (`meVerbs`: help, give, show, tell,
///      told, telling, tells, let, teach, send, write, make, get, find, remind, walk, guide,
///      ask, excuse, with, for, gimme, us, bring, explain, lend, buy, pass);
///    - `my` followed within three words by a thing worked on (`artifacts`: code, function,
///      script, query, file, tests, error, output, app, commit, branch, laptop, machine,
///      token, password, database, email, essay …) or by another person (`otherPeople`:
///      boss, manager, friend, wife, husband, team, colleague, landlord, son, daughter,
///      client, cat, dog …).
/// 2. `remember` or `forget` (`remember that …`, `forget that …`, `don't forget`).
/// 3. `always` / `never` (not `never mind`) / `from now on` / `going forward` /
///    `in (the) future` opening a clause (after `please`/`and`/`also`/`so`/`but`/`ok`): a
///    standing instruction.
/// 4. Self-description without "I": `as someone who`, `just joined/started/moved/
///    switched/graduated/got` opening a clause, `we live/moved/just moved/are based/are
///    from`.
///
/// It is tuned for recall on disclosures (let a disclosure through whenever in doubt) and
/// measured on `Tests/Fixtures/gate-corpus.jsonl` by `GateTests`.
public enum Gate {
    /// Whether the exchange could say something about the user.
    public static func mayDisclose(_ exchange: Exchange) -> Bool {
        mayDisclose(prompt: exchange.prompt)
    }

    /// Whether a typed prompt could say something about the user.
    public static func mayDisclose(prompt: String?) -> Bool {
        guard let prompt, !prompt.trimmingWhitespace().isEmpty else { return false }
        return firstSign(in: UserText.tokens(prompt)) != nil
    }

    /// The index of the first token that is a sign, or nil.
    static func firstSign(in tokens: [Token]) -> Int? {
        for (k, token) in tokens.enumerated() where token.isWord {
            switch token.key {
            case "i", "me", "my", "mine", "myself":
                if !isTaskPhrase(tokens, at: k) { return k }
            case "remember", "forget":
                return k
            case "always", "never":
                // "never mind" is not an instruction.
                if opensClause(tokens, at: k), !(k + 1 < tokens.count && tokens[k + 1].key == "mind") { return k }
            case "from" where follows(tokens, k, ["from", "now", "on"]):
                return k
            case "going" where follows(tokens, k, ["going", "forward"]) && opensClause(tokens, at: k):
                return k
            case "in" where (follows(tokens, k, ["in", "future"]) || follows(tokens, k, ["in", "the", "future"]))
                && opensClause(tokens, at: k) && k + 3 < tokens.count:
                return k
            case "as" where follows(tokens, k, ["as", "someone", "who"]):
                return k
            case "just" where opensClause(tokens, at: k):
                if k + 1 < tokens.count, ["joined", "started", "moved", "switched", "graduated", "got"].contains(tokens[k + 1].key) {
                    return k
                }
            case "we":
                for phrase in [["we", "live"], ["we", "moved"], ["we", "just", "moved"], ["we", "are", "based"],
                               ["we", "are", "from"], ["we", "recently", "moved"]] where follows(tokens, k, phrase) {
                    return k
                }
            default:
                break
            }
        }
        return nil
    }

    // MARK: - Task phrases

    /// Words skipped between "I" and its verb when matching task phrases.
    static let adverbs: Set<String> = ["just", "really", "also", "still", "already", "actually", "even", "only", "now",
                                       "then", "currently", "kinda", "always", "never", "sometimes", "usually", "simply",
                                       "basically", "honestly", "literally", "recently", "mostly", "keep", "constantly"]

    /// Phrases in which "I" asks, supposes or reports on a task (token keys; contractions
    /// expanded, so "can't" is `can not` and "I'm" is `i am`).
    static let taskPhrases: [[String]] = [
        // Questions.
        "how do i", "how can i", "how should i", "how would i", "how could i", "how will i", "how am i", "how did i",
        "what do i", "what can i", "what should i", "what would i", "what am i", "what did i", "what have i", "what i",
        "where do i", "where can i", "where should i", "where am i", "why do i", "why am i", "why can not i",
        "why did i", "why can i", "why would i", "why should i", "why does my", "why is my", "why are my",
        "when do i", "when should i", "when can i", "which do i", "which should i", "which one should i",
        "who do i", "who should i", "can i", "could i", "should i", "may i", "do i", "did i", "am i", "would i",
        "will i", "have i", "shall i", "must i", "is my", "are my", "does my", "did my",
        // Conditions and hypotheticals.
        "if i", "when i", "whenever i", "once i", "after i", "before i", "while i", "until i", "unless i",
        "whether i", "every time i", "each time i", "so i can", "so that i", "than i", "like i", "suppose i",
        "imagine i", "pretend i", "assume i", "say i", "hypothetically i",
        // Task talk.
        "i get", "i got", "i am getting", "i keep getting", "i see", "i am seeing", "i saw", "i tried", "i have tried",
        "i try", "i am trying", "i ran", "i run", "i wrote", "i have written", "i made", "i changed", "i added",
        "i removed", "i installed", "i updated", "i upgraded", "i deployed", "i used", "i copied", "i pasted",
        "i followed", "i did", "i found", "i noticed", "i notice", "i expected", "i expect", "i need to",
        "i need you to", "i need help", "i want to", "i want you to", "i would", "i could", "i will", "i am going to",
        "i was", "i had", "i should", "i have to", "i must", "i think", "i thought", "i guess", "i mean", "i meant",
        "i wonder", "i was wondering", "i am wondering", "i hope", "i bet", "i suppose", "i agree", "i disagree",
        "i understand", "i appreciate", "i apologize", "i feel like", "i do not understand", "i do not get",
        "i do not know", "i do not see", "i do not think", "i know that", "i know this", "i know it", "i know what",
        "i know how", "i know why", "i know you", "i know there", "i know if", "i know whether", "i am not sure",
        "i am sure", "i am confused", "i am stuck", "i am curious", "i am sorry", "i am looking for", "i am asking",
        "i asked", "i said", "i have a question", "i have a problem", "i have an issue", "i have a doubt",
        "i have some questions", "i have two questions",
    ].map { $0.split(separator: " ").map(String.init) }

    /// Verbs after which "me" is the object of a request: "help me", "tell me".
    static let meVerbs: Set<String> = ["help", "give", "show", "tell", "told", "telling", "tells", "let", "teach", "send",
                                       "write", "make", "get", "find", "remind", "walk", "guide", "ask", "excuse",
                                       "with", "for", "gimme", "us", "bring", "explain", "lend", "buy", "pass"]

    /// Things a user works on: after "my" or "I have (a)", they make it task talk.
    static let artifacts: Set<String> = [
        "code", "function", "functions", "method", "class", "script", "scripts", "query", "queries", "regex",
        "program", "file", "files", "test", "tests", "error", "errors", "output", "loop", "variable", "variables",
        "array", "list", "string", "dataframe", "df", "table", "tables", "commit", "branch", "repo", "repository",
        "pr", "container", "pod", "dockerfile", "makefile", "config", "configuration", "yaml", "json", "csv", "cell",
        "component", "css", "html", "snippet", "question", "answer", "email", "message", "essay", "homework",
        "assignment", "draft", "text", "sentence", "paragraph", "translation", "prompt", "laptop", "computer",
        "pc", "phone", "machine", "screen", "wifi", "wi-fi", "internet", "printer", "keyboard", "mouse", "battery",
        "disk", "drive", "token", "key", "password", "account", "app", "application", "api", "endpoint", "server",
        "database", "db", "schema", "migration", "build", "package", "module", "dependency", "dependencies", "orm",
        "data", "dataset", "column", "columns", "row", "rows", "image", "images", "video", "photo", "picture",
        "resume", "cv", "cover", "letter", "page", "post", "slides", "presentation", "spreadsheet", "doc",
        "document", "pdf", "directory", "folder", "path", "sleep", "ticket", "issue", "bug", "problem", "request",
        "response", "session", "cache", "cluster", "node", "instance", "vm", "network", "router", "ram", "memory",
        "cpu", "gpu", "order", "delivery", "flight", "booking", "invoice", "bill", "tax", "taxes", "plan",
        "garden", "plant", "plants", "car", "bike", "house", "apartment", "room", "kitchen", "results",
    ]

    /// Other people: after "my" they are the subject, not the user.
    static let otherPeople: Set<String> = [
        "boss", "manager", "landlord", "landlady", "sister", "brother", "mom", "mum", "dad", "mother", "father", "son",
        "daughter", "wife", "husband", "partner", "girlfriend", "boyfriend", "friend", "friends", "colleague",
        "colleagues", "coworker", "coworkers", "co-worker", "team", "teammate", "teammates", "neighbour", "neighbor",
        "kids", "kid", "children", "child", "professor", "teacher", "client", "clients", "customer", "customers",
        "users", "user", "cat", "dog", "family", "parents", "grandma", "grandmother", "grandfather", "grandpa",
        "uncle", "aunt", "cousin", "students", "employees", "tenant", "doctor", "lead", "roommate", "flatmate",
        "baby", "niece", "nephew", "audience", "readers", "dentist", "therapist", "coach", "mentor",
    ]

    /// Words that, right after a task phrase, make it a statement about the user after all:
    /// "I run a bakery", "I changed from iPhone to Android", "I made the switch to Linux".
    static let taskPhraseExceptions: [String: Set<String>] = [
        "i run": ["a", "an", "my"], "i changed": ["from", "to", "jobs", "careers", "teams"],
        "i made": ["the"], "i got": ["a", "an", "married", "promoted", "hired"], "i used": ["to"],
    ]

    static func isTaskPhrase(_ tokens: [Token], at k: Int) -> Bool {
        let key = tokens[k].key
        if key == "me", k > 0, tokens[k - 1].isWord, meVerbs.contains(tokens[k - 1].key) { return true }
        if key == "my" {
            var seen = 0
            var j = k + 1
            while j < tokens.count, seen < 3, tokens[j].isWord {
                if artifacts.contains(tokens[j].key) || otherPeople.contains(tokens[j].key) { return true }
                seen += 1
                j += 1
            }
        }
        if key == "i", k + 1 < tokens.count, tokens[k + 1].key == "have" {
            // "I have a list of dicts", "I have this error", "I have two tables".
            var j = k + 2
            var seen = 0
            while j < tokens.count, seen < 3, tokens[j].isWord {
                if artifacts.contains(tokens[j].key) { return true }
                seen += 1
                j += 1
            }
        }
        for phrase in taskPhrases {
            guard let offset = phrase.firstIndex(of: key) else { continue }
            // Try each start that would put `key` at `offset`, allowing skipped adverbs.
            let earliest = max(0, k - offset - 2)
            for start in earliest...k {
                guard let end = match(phrase, in: tokens, from: start, covering: k) else { continue }
                if let exceptions = taskPhraseExceptions[phrase.joined(separator: " ")], end < tokens.count,
                   exceptions.contains(tokens[end].key) { continue }
                return true
            }
        }
        return false
    }

    /// Where `phrase` ends when it matches tokens from `start` (adverbs after "i" skipped)
    /// and uses the token at `index`; nil when it does not.
    static func match(_ phrase: [String], in tokens: [Token], from start: Int, covering index: Int) -> Int? {
        var t = start
        var covered = false
        for (n, word) in phrase.enumerated() {
            if n > 0, phrase[n - 1] == "i" {
                while t < tokens.count, tokens[t].isWord, adverbs.contains(tokens[t].key), tokens[t].key != word { t += 1 }
            }
            guard t < tokens.count, tokens[t].isWord, tokens[t].key == word else { return nil }
            if t == index { covered = true }
            t += 1
        }
        return covered ? t : nil
    }

    static func follows(_ tokens: [Token], _ k: Int, _ phrase: [String]) -> Bool {
        guard k + phrase.count <= tokens.count else { return false }
        for (n, word) in phrase.enumerated() where tokens[k + n].key != word { return false }
        return true
    }

    /// Whether the token at `k` opens a clause: first in the text, or after a sentence or
    /// clause mark, skipping `please`, `and`, `also`, `so`, `but`, `ok`, `okay`, `oh`, `then`.
    static func opensClause(_ tokens: [Token], at k: Int) -> Bool {
        var j = k - 1
        while j >= 0, tokens[j].isWord, ["please", "and", "also", "so", "but", "ok", "okay", "oh", "then", "pls", "plz"]
            .contains(tokens[j].key) { j -= 1 }
        if j < 0 { return true }
        return tokens[j].kind == .mark && [",", ";", ":", "-", "(", ".", "!", "?", "\n"].contains(tokens[j].key)
    }
}
