/// The offline extractor's own English word lists: what ends each kind of capture, what
/// is not a name, place or employer, which verbs start a project or an instruction, and
/// the languages and tools it spells canonically. Words the gate reads too are in
/// `Lexicon` (Propose/Text).
enum ExtractorLexicon {
    static let deictic: Set<String> = ["this", "that", "these", "those", "it", "them", "him", "her", "his", "hers",
                                       "their", "theirs", "our", "ours", "which", "what", "how", "when", "where", "why",
                                       "who", "if", "whether", "something", "anything", "everything", "nothing", "one",
                                       "you", "your", "yours", "u", "ur", "some", "any", "such", "so", "not", "no",
                                       "i", "me", "myself", "we", "us", "they", "he", "she", "here", "there", "both",
                                       "either", "neither", "doing", "being", "getting", "having", "is", "was"]
    /// Words that stand for something named before: "forget about them".
    static let pronouns: Set<String> = ["it", "them", "that", "this", "those", "these", "him", "her"]
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
                                             "was", "are", "do", "does", "last", "ago", "yesterday", "recently", "earlier"]
    /// What ends the object of "no longer …" / "stopped …" / "left …".
    static let removalStops: Set<String> = ["anymore", "in", "on", "at", "last", "after", "because", "since", "ago", "and",
                                            "but", "so", "when", "this", "for", "years", "months", "recently", "now",
                                            "yesterday", "today", "either", "any", "though"]
    static let timeStops: Set<String> = ["last", "recently", "this", "for", "because", "since", "at", "in", "and", "but",
                                         "so", "when", "after", "about", "ago", "years", "months", "weeks", "yesterday",
                                         "today", "now", "a", "which", "who", "that", "earlier", "lately", "back",
                                         "entirely", "completely", "full-time", "over"]
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
    static let diets: Set<String> = ["vegetarian", "vegan", "pescatarian", "pescetarian"]

    static let projectVerbs: [String: String] = [
        "building": "Building", "developing": "Developing", "making": "Making", "creating": "Creating",
        "writing": "Writing", "designing": "Designing", "coding": "Coding", "prototyping": "Prototyping",
        "hacking": "Hacking on", "learning": "Learning", "studying": "Studying", "training": "Training for",
        "organizing": "Organizing", "organising": "Organising", "launching": "Launching", "maintaining": "Maintaining",
        "running": "Running", "starting": "Starting",
    ]
    static let switchVerbs: Set<String> = ["switched", "moved", "migrated", "changed", "transitioned", "gone", "converted",
                                           "relocated"]
    /// Who "my/our …" can be when it uses tools as the user's team: "my team uses …".
    static let teamNouns: Set<String> = ["team", "company", "org", "organization", "organisation", "startup", "employer",
                                         "lab", "department", "group", "squad", "workplace"]
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
    /// What the assistant gives: after "your" in an instruction they make it the user's
    /// preference about answers ("always keep your answers short"), not a blocked mention
    /// of the assistant.
    static let answerNouns: Set<String> = ["answer", "answers", "reply", "replies", "response", "responses",
                                           "explanation", "explanations", "example", "examples", "code", "output",
                                           "message", "messages", "suggestions", "summaries", "reasoning", "sources",
                                           "tone", "comments"]
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
    /// A position taken rather than a person: "a job at …", "a postdoc position at …".
    static let jobNouns: Set<String> = ["job", "position", "role", "post", "gig", "internship", "fellowship", "residency",
                                        "postdoc", "apprenticeship", "traineeship", "placement", "offer"]
    /// Verbs that end a project: "I submitted the thesis", "I defended my PhD".
    static let finishingVerbs: Set<String> = ["submitted", "defended", "finished", "completed", "shipped", "published",
                                              "launched"]
    /// Verbs of taking a position: "I accepted a postdoc at …", "I landed a job at …".
    static let takingVerbs: Set<String> = ["accepted", "took", "taken", "landed", "got", "started", "began", "begun"]
    /// What "I play" names as a pastime: instruments, sports and games ("I play the cello"),
    /// not "I play the video" or "I play a key role".
    static let pastimes: Set<String> = [
        "piano", "guitar", "cello", "violin", "viola", "bass", "drums", "flute", "clarinet", "saxophone", "sax",
        "trumpet", "trombone", "oboe", "bassoon", "harp", "ukulele", "banjo", "mandolin", "accordion", "harmonica",
        "organ", "keyboards", "synth", "tuba", "horn", "chess", "football", "soccer", "tennis", "basketball",
        "volleyball", "badminton", "squash", "golf", "rugby", "cricket", "hockey", "baseball", "softball", "handball",
        "padel", "pickleball", "poker", "bridge", "ping-pong", "darts", "snooker", "pool", "d&d", "dnd",
    ]
    /// What "games" must follow to be a pastime: "I play video games".
    static let kindsOfGames: Set<String> = ["video", "board", "card", "computer", "tabletop", "online", "mobile", "console"]
    /// What "I have" names as the user's household: pets and family ("I have two cats").
    static let household: Set<String> = [
        "dog", "dogs", "cat", "cats", "puppy", "kitten", "kittens", "rabbit", "rabbits", "hamster", "parrot", "horse",
        "horses", "tortoise", "turtle", "kid", "kids", "child", "children", "son", "sons", "daughter", "daughters",
        "baby", "toddler", "twins", "wife", "husband", "partner", "girlfriend", "boyfriend", "grandchildren",
    ]
    /// Words that may follow a household noun (else it is part of a compound: "a cat
    /// allergy", "a partner meeting").
    static let afterHousehold: Set<String> = ["called", "named", "who", "that", "which", "and", "but", "so", "with",
                                              "at", "in", "of", "from", "too", "as", "now", "aged"]
    /// Words that may stand before a household noun: "a rescue dog", "two young kids".
    static let householdModifiers: Set<String> = ["little", "young", "small", "teenage", "adult", "grown", "older", "younger",
                                                  "newborn", "rescue", "baby", "old"]
    /// Counts before a household noun: "two cats".
    static let numbers: Set<String> = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                                       "2", "3", "4", "5", "6"]
    /// "-ing" words after "I go" that are no pastime: "I go looking for …", "I go during lunch".
    static let notPastimes: Set<String> = ["going", "getting", "looking", "trying", "doing", "being", "having", "thinking",
                                           "working", "during", "something", "nothing", "anything", "everything",
                                           "morning", "evening", "according", "checking", "making", "using", "talking"]
    /// Words that make "I go <-ing>" a habit: "I go bouldering twice a week".
    static let habitWords: Set<String> = ["every", "twice", "once", "thrice", "weekly", "daily", "regularly", "weekends",
                                          "mornings", "evenings", "nights", "times"]
    /// Words that may lead "I speak …" before a language: "I speak fluent German".
    static let fluency: Set<String> = ["fluent", "native", "basic", "some", "conversational", "intermediate", "decent",
                                       "a", "little", "bit", "of"]
    /// Words that end the head of a noun phrase (`BulletText.head`).
    static let headEnds: Set<String> = ["about", "on", "for", "with", "in", "at", "to", "from", "by", "that", "which",
                                        "who", "called", "named", "using", "where", "into", "between", "against",
                                        "around"]
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

}
