/// Which of the profile's bullets the update prompt lists for the model, when they do not
/// all fit `UpdatePrompt.Limits.profileChars` (issue 15 §4: "the model always sees every
/// bullet it may need to change").
///
/// Listing the first 8,000 characters by position hid exactly the bullets most likely to
/// change — the newest, at the end of each section — so a model could not replace what it
/// could not see. When the whole profile does not fit, bullets are taken in this order
/// while they fit (one that does not is passed over for a shorter one after it):
///
/// 1. **What the batch may change**: every bullet that shares a word with what the user
///    typed in the batch (words of 3 or more letters, the common ones left out, compared
///    by their first 4 letters, as `ReplyGuard` compares them) — a bullet an op may
///    replace or remove almost always names what the user talks about.
/// 2. **Then a fair share of each section, newest first**: the order the fragment keeps
///    (`BulletRanking`: sections take turns, the last bullet of a section first), so
///    every section is represented and the model sees what the user's prompts see.
///
/// Listed bullets keep their document order; each section says how many of its bullets
/// are not shown.
struct ProfileListing {
    struct Section {
        var name: String
        /// The listed bullets, cleaned, in document order.
        var shown: [String]
        var hidden: Int
    }

    var sections: [Section]

    /// - Parameters:
    ///   - outline: the profile's sections and bullets.
    ///   - names: the sections to list, in order (the profile's, then default ones it lacks).
    ///   - userText: what the user typed in the batch (redacted), for relevance.
    ///   - budget: characters of bullet text the listing may hold.
    ///   - clean: how a bullet's text is sent (redacted, delimiters neutralised).
    init(outline: ProfileOutline, names: [String], userText: String, budget: Int, clean: (String) -> String) {
        let texts: [[String]] = names.map { name in
            (outline.sections.first(where: { $0.name.lowercased() == name.lowercased() })?.bullets ?? []).map(clean)
        }
        let sizes = texts.map { $0.map(\.unicodeScalars.count) }
        var keep = texts.map { [Bool](repeating: false, count: $0.count) }
        if sizes.joined().reduce(0, +) <= budget {
            keep = texts.map { [Bool](repeating: true, count: $0.count) }
        } else {
            // Sections take turns, each newest first (BulletRanking's order on the outline).
            var turns: [(section: Int, bullet: Int)] = []
            for turn in 0..<(texts.map(\.count).max() ?? 0) {
                for section in texts.indices where turn < texts[section].count {
                    turns.append((section, texts[section].count - 1 - turn))
                }
            }
            let said = Set(ReplyGuard.words(userText).map(ProfileListing.key))
            let isRelevant = turns.map { place in
                ReplyGuard.words(texts[place.section][place.bullet]).contains { said.contains(ProfileListing.key($0)) }
            }
            let relevant = turns.indices.filter { isRelevant[$0] }.map { turns[$0] }
            let others = turns.indices.filter { !isRelevant[$0] }.map { turns[$0] }
            var left = budget
            for place in relevant + others where sizes[place.section][place.bullet] <= left {
                keep[place.section][place.bullet] = true
                left -= sizes[place.section][place.bullet]
            }
        }
        sections = names.indices.map { s in
            let shown = texts[s].indices.filter { keep[s][$0] }.map { texts[s][$0] }
            return Section(name: names[s], shown: shown, hidden: texts[s].count - shown.count)
        }
    }

    /// A word as relevance compares it: its first 4 characters.
    static func key(_ word: String) -> String {
        String(String.UnicodeScalarView(word.unicodeScalars.prefix(4)))
    }
}

extension UpdatePrompt {
    /// A profile that has outgrown the fragment's budget (`FragmentBudget`): the update asks
    /// the model to help it fit, as ordinary ops that go through `ReplyGuard` like any other.
    public struct Consolidation: Sendable, Equatable {
        /// Bullets the fragment holds, of how many, in how many characters.
        public var injected: Int
        public var total: Int
        public var maxChars: Int

        /// Bullets one answer may take away to consolidate: fewer than `ReplyGuard` lets a
        /// reply take away (5), so a zealous consolidation never gets a whole reply —
        /// with the facts it learned — refused; the profile shrinks over several updates.
        public static let maxRemovals = 3

        public init(injected: Int, total: Int, maxChars: Int) {
            self.injected = injected
            self.total = total
            self.maxChars = maxChars
        }

        /// Whether `fragment` (the profile rendered at its budget) leaves bullets out.
        public init?(_ fragment: RenderedFragment) {
            guard !fragment.droppedBullets.isEmpty else { return nil }
            self.init(injected: fragment.injectedBullets, total: fragment.totalBullets, maxChars: fragment.maxChars)
        }

        /// The request, placed after the exchanges.
        var request: String {
            "The profile has outgrown its budget: only \(injected) of its \(total) bullets fit in the "
                + "\(maxChars) characters the user's prompts are given. Besides what the exchanges show, help it "
                + "fit: remove a bullet that repeats another (keep the fuller one), remove one that is stale or "
                + "superseded by another, or replace a long bullet with a shorter wording that adds no new words. "
                + "Take away at most \(Consolidation.maxRemovals) bullets this way in one answer, and give these "
                + "ops no \"ex\" (they come from the profile, not from an exchange).\n\n"
        }
    }
}
