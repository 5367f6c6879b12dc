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
/// 2. **Within a section, the newest is the most valuable.** A bullet's value is when it
///    was last added or changed (`lastChanged`, a sortable UTC time such as
///    `2026-11-25T10:00:00Z`), newest first; bullets with the same time, or none, rank by
///    position, later first, because mem-merge appends new bullets at the end of their
///    section. So what was learned last is injected first, and the oldest, least recently
///    confirmed bullets are the first left out.
///
/// `lastChanged` is the seam for provenance: the history keeps, per bullet, when it was
/// last changed (journal.jsonl, issue 12). A caller that has it passes it in, indexed like
/// `ProfileDocument.bullets`; without it (today, and for bullets the history does not
/// know, such as ones written by hand before there was a history) position alone decides,
/// and a bullet with a time ranks before one without.
public struct BulletRanking: Sendable, Equatable {
    /// When each bullet was last added or changed, by index into `ProfileDocument.bullets`.
    public var lastChanged: [Int: String]

    public init(lastChanged: [Int: String] = [:]) {
        self.lastChanged = lastChanged
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
                let ta = lastChanged[a] ?? ""
                let tb = lastChanged[b] ?? ""
                return ta != tb ? ta > tb : a > b
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
