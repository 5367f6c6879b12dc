/// Which bullets a fragment over its budget keeps, decided deliberately rather than by
/// where they happen to stand in the file.
///
/// The rule (README, "When the profile does not fit"):
///
/// 1. **Every section is represented.** Bullets are grouped by section (each `## Section`;
///    a `# Title` starts a group too, and bullets before any heading form one). Sections
///    take turns: every section's most valuable bullet first, then every section's second,
///    and so on, sections in document order within a turn. A section with few bullets
///    leaves its turns to the others. The fragment keeps the longest run of this order
///    that fits, so each section keeps as many bullets as any other, give or take one,
///    unless it has fewer.
/// 2. **Within a section, the most recently changed is the most valuable.** A bullet's
///    value is the change that last added or reworded it (`lastChange`: a number that grows
///    with every change, the journal's change id), newest first; bullets of the same change,
///    or with none, rank by position, later first, because mem-merge appends new bullets at
///    the end of their section. So what was learned or corrected last is injected first —
///    a fact replaced where it stands (a new role in the first line of its section) as much
///    as one appended — and the least recently confirmed bullets are the first left out.
///
/// Profile does not know History: `lastChange` is worked out by the caller, indexed like
/// `ProfileDocument.bullets` (mem-render: `BulletRanking.fromHistory`, from the provenance
/// the journal keeps). Without it — no history, one that cannot be read, a bullet the
/// history does not know — position alone decides, and a bullet with a change ranks
/// before one without.
///
/// Change ids rather than times: ids follow commit order exactly, while the journal's
/// times have whole seconds (two updates in one second would tie) and follow the clock.
public struct BulletRanking: Sendable, Equatable {
    /// The change that last added or changed each bullet, by index into
    /// `ProfileDocument.bullets`; larger is newer.
    public var lastChange: [Int: Int]

    public init(lastChange: [Int: Int] = [:]) {
        self.lastChange = lastChange
    }

    /// Ranking by position only.
    public static let byPosition = BulletRanking()

    /// One section's bullets, for the turns and for the counts mem-render reports.
    public struct Group: Equatable, Sendable {
        /// The heading's text (`## Interests` → "Interests"); nil for bullets before any heading.
        public var name: String?
        /// Indices into `ProfileDocument.bullets`, in document order.
        public var bullets: [Int]
    }

    /// The bullets grouped by the `#` or `##` heading they fall under, in document order;
    /// groups without bullets are left out.
    public static func groups(_ document: ProfileDocument) -> [Group] {
        var groups: [Group] = []
        var current: Group? = Group(name: nil, bullets: [])
        var nextBullet = 0
        for index in document.lines.indices {
            if case let .heading(level) = document.kinds[index], level <= 2 {
                if let group = current, !group.bullets.isEmpty { groups.append(group) }
                current = Group(name: headingName(document, line: index), bullets: [])
            }
            while nextBullet < document.bullets.count, document.bullets[nextBullet].line == index {
                current?.bullets.append(nextBullet)
                nextBullet += 1
            }
        }
        if let group = current, !group.bullets.isEmpty { groups.append(group) }
        return groups
    }

    /// Every bullet index of `document`, most valuable first (the rule above).
    public func order(_ document: ProfileDocument) -> [Int] {
        order(BulletRanking.groups(document))
    }

    func order(_ groups: [Group]) -> [Int] {
        let ranked = groups.map { group in
            group.bullets.sorted { a, b in
                let ca = lastChange[a] ?? Int.min
                let cb = lastChange[b] ?? Int.min
                return ca != cb ? ca > cb : a > b
            }
        }
        var order: [Int] = []
        order.reserveCapacity(ranked.reduce(0) { $0 + $1.count })
        let turns = ranked.map(\.count).max() ?? 0
        for turn in 0..<turns {
            for bullets in ranked where turn < bullets.count {
                order.append(bullets[turn])
            }
        }
        return order
    }

    private static func headingName(_ document: ProfileDocument, line: Int) -> String {
        if let section = document.sections.first(where: { $0.heading == line }) { return section.name }
        // A title: its text without the #s (comments already out of visibleText).
        var text = Substring(document.visibleText(ofLine: line))
        text = text.drop(while: { $0 == "#" })
        return String(text).trimmingWhitespace()
    }
}
