/// The English words the gate and the offline extractor both read by, one list per
/// meaning, so a word added for one is known to the other (two diverging copies once let
/// "We live in Lisbon" through one reader and not the other).
///
/// Where the two readers use a list differently, the difference is on purpose and named
/// at the point of use: the gate is tuned for recall (when in doubt, let the exchange
/// reach the model), the extractor for precision (when in doubt, store nothing). The
/// words that say where a clause begins and ends are here too (`Clauses` reads them). What
/// only one of them needs stays with it: the gate's task phrases and things worked on
/// (`Gate`), the extractor's stop words, spellings and pattern verbs (`ExtractorLexicon`).
enum Lexicon {
    /// Words before the first word that carries a clause's meaning: "ok so always answer
    /// in French", "hi, Rust dev here", "and just moved to Leeds".
    static let fillers: Set<String> = [
        "please", "pls", "plz", "also", "and", "oh", "ok", "okay", "so", "btw", "hey", "hi", "hello", "well", "but",
        "now", "then", "yes", "yeah", "actually", "anyway", "just",
    ]

    /// Marks that end one clause and start the next inside a sentence (sentence ends are
    /// `Token.endsSentence`).
    static let clauseMarks: Set<String> = [",", ";", ":", "-", "(", ")"]

    /// Conjunctions that join two clauses as equals: "I work at Acme and I live in Lisbon".
    static let coordinators: Set<String> = ["and", "but", "or", "so", "nor", "yet"]

    /// Words that begin a clause of its own after a coordinator: a subject ("… and I live
    /// in Lisbon", "… but my team uses Emacs", "… and it works") or a question ("… and how
    /// do I …", "… so can you …"). Not "her", "our", "their" …: "I like Simon and her
    /// songs" goes on.
    static let clauseStarters: Set<String> = [
        "i", "we", "you", "he", "she", "they", "it", "there", "my", "what", "how", "why", "where", "when", "which",
        "who", "can", "could", "should", "would", "do", "does", "is", "are", "any",
    ]

    /// Words that stand between a subject and its verb without changing what is said:
    /// "I really live in …", "we mainly use …", "I'm currently building …", "I finally
    /// switched …". Not every "-ly" word: "previously", "probably", "hopefully",
    /// "rarely" change what is said (hedges and guesses are never skipped).
    static let adverbs: Set<String> = [
        "just", "really", "also", "still", "already", "actually", "even", "only", "now", "then", "currently", "kinda",
        "always", "usually", "simply", "basically", "honestly", "literally", "recently", "mostly", "mainly",
        "generally", "normally", "typically", "primarily", "totally", "absolutely", "definitely", "personally",
        "truly", "genuinely", "especially", "particularly", "originally", "officially", "happily", "proudly",
        "certainly", "obviously", "newly", "constantly", "accidentally", "mistakenly", "full-time", "part-time",
        "both", "professionally", "finally", "eventually", "successfully", "gladly", "fully", "permanently",
        "luckily", "fortunately", "unfortunately", "thankfully", "sadly", "seriously", "reluctantly",
    ]

    /// Adverbs that do change what is said — "I never use Docker" is not "uses Docker",
    /// "I sometimes use Emacs" is not a setup. The extractor never skips them; the gate
    /// does ("I never got a reply" is still task talk, and a statement passes either way).
    static let hedges: Set<String> = ["never", "sometimes", "often", "rarely", "seldom", "occasionally", "hardly"]

    /// Words that make what follows a supposition rather than a statement: "if I were a
    /// doctor", "imagine we're a startup", "say we use Postgres".
    static let suppositions: Set<String> = [
        "if", "suppose", "supposing", "imagine", "imagining", "pretend", "pretending", "assume", "assuming",
        "hypothetically", "hypothetical", "say", "wish", "unless", "whether",
    ]

    /// Occupations: what "I'm a …" ends in when it is a role ("I'm a backend engineer"),
    /// and what a short self-label ends in ("Backend engineer, 5 yrs").
    static let occupations: Set<String> = [
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
        "baker", "barista", "farmer", "gardener", "mechanic", "electrician", "plumber", "carpenter", "builder",
        "pilot", "firefighter", "officer", "soldier", "technician", "intern", "apprentice", "freelancer",
        "contractor", "entrepreneur", "marketer", "recruiter", "salesperson", "tester", "maintainer", "specialist",
        "coordinator", "assistant", "secretary", "receptionist", "clerk", "cashier", "caregiver", "carer", "planner",
        "strategist", "hacker", "retiree", "pensioner", "homemaker", "principal", "dean", "counselor", "counsellor",
        "coach", "trainer", "investor", "banker", "trader", "broker", "realtor", "surveyor", "inspector", "detective",
        "judge", "priest", "pastor", "rabbi", "imam", "minister", "politician", "diplomat", "volunteer", "organizer",
        "organiser", "moderator", "streamer", "youtuber", "podcaster", "sysops", "dba", "qa", "swe", "sde", "mle",
        "nurse-practitioner", "physiotherapist", "optometrist", "radiologist", "anesthesiologist", "pediatrician",
        "cardiologist", "medic", "scholar", "tradesperson", "welder", "machinist", "operator", "dispatcher", "nanny",
        "babysitter",
    ]

    /// What else a short self-label ends in: "Emacs user.", "Type 1 diabetic", "total
    /// beginner here". Not roles: "I'm a beginner" stores no `Role:`.
    static let otherSelfLabels: Set<String> = [
        "user", "beginner", "newbie", "hobbyist", "diabetic", "vegan", "vegetarian", "self-taught", "parent", "owner",
    ]
}
