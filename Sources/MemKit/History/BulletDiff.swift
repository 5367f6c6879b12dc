/// A top-level bullet of the profile with the section it is in: what provenance is kept
/// for, and what hand edits are found by.
public struct ProfileBullet: Equatable, Sendable {
    /// The section's name as the profile spells it; "" for a bullet before any section.
    public let section: String
    /// How sections compare (`ProfileDocument.sectionKey`), worked out once: comparisons
    /// of many bullets are the history's inner loops.
    public let sectionKey: String
    public var text: String
    /// The lines holding the bullet's text (its first line and paragraph continuation).
    public var lines: Range<Int>

    public init(section: String, text: String, lines: Range<Int> = 0..<0) {
        self.init(section: section, sectionKey: ProfileDocument.sectionKey(section), text: text, lines: lines)
    }

    /// With `sectionKey` already worked out: it is most of the cost of listing a long
    /// profile's bullets (every render over budget does), and a section's is the same for
    /// all its bullets.
    init(section: String, sectionKey: String, text: String, lines: Range<Int> = 0..<0) {
        self.section = section
        self.sectionKey = sectionKey
        self.text = text
        self.lines = lines
    }
}

extension ProfileDocument {
    /// Every top-level bullet with its section, in document order.
    public var profileBullets: [ProfileBullet] {
        var result: [ProfileBullet] = []
        result.reserveCapacity(bullets.count)
        let keys = sections.map { ProfileDocument.sectionKey($0.name) }
        let noSection = ProfileDocument.sectionKey("")
        var sectionIndex = 0
        for bullet in bullets {
            while sectionIndex < sections.count, sections[sectionIndex].body.upperBound <= bullet.line { sectionIndex += 1 }
            let inSection = sectionIndex < sections.count && sections[sectionIndex].body.contains(bullet.line)
            result.append(ProfileBullet(section: inSection ? sections[sectionIndex].name : "",
                                        sectionKey: inSection ? keys[sectionIndex] : noSection, text: bullet.text,
                                        lines: bullet.paragraph))
        }
        return result
    }
}

/// The bullet-level difference between two states of the profile, as journal changes.
///
/// Bullets are compared per section (by `ProfileDocument.sectionKey`) and exactly (by
/// text), as multisets: moving a bullet is no change. What is left over on each side is
/// removed or added; some of it pairs up as a `replace` (old → new), which is what `log`
/// shows and what `why` lists as earlier wordings:
///
/// - `.ops(applied)`, for a merge: a pair only where an applied `replace` op took that
///   old bullet to that new text (a remove and an add in one delta stay two changes);
/// - `.position`, for whole-profile changes (edit, load, hand edits): the leftovers of a
///   section pair in order, first removed with first added — a reworded bullet is a
///   replace. Pairing never changes what undoing does (a replace undone puts the old text
///   back and takes the new one away, as a remove plus an add would).
public enum BulletDiff {
    public enum Pairing {
        case ops([DeltaOp])
        case position
    }

    public static func changes(from old: [ProfileBullet], to new: [ProfileBullet], pairing: Pairing) -> [BulletChange] {
        var order: [String] = []
        var names: [String: String] = [:]
        var oldBySection: [String: [String]] = [:]
        var newBySection: [String: [String]] = [:]
        for bullet in new {
            let key = bullet.sectionKey
            if names[key] == nil { order.append(key); names[key] = bullet.section }
            newBySection[key, default: []].append(bullet.text)
        }
        for bullet in old {
            let key = bullet.sectionKey
            if names[key] == nil { order.append(key); names[key] = bullet.section }
            oldBySection[key, default: []].append(bullet.text)
        }
        var changes: [BulletChange] = []
        for key in order {
            let section = names[key] ?? ""
            var (removed, added) = leftovers(oldBySection[key] ?? [], newBySection[key] ?? [])
            var pairs: [(String, String)] = []
            switch pairing {
            case .position:
                let n = min(removed.count, added.count)
                pairs = Array(zip(removed.prefix(n), added.prefix(n)))
                removed.removeFirst(n)
                added.removeFirst(n)
            case let .ops(ops):
                for op in ops where op.kind == .replace && ProfileDocument.sectionKey(op.section) == key {
                    let oldMatcher = BulletMatcher(ProfileMerger.cleanedOld(op.old))
                    guard case let .success(text) = ProfileMerger.cleanText(op.text),
                          let r = removed.firstIndex(where: { oldMatcher.matches($0) }),
                          let a = added.firstIndex(where: { BulletMatcher.matches($0, text) }) else { continue }
                    pairs.append((removed.remove(at: r), added.remove(at: a)))
                }
            }
            for (was, now) in pairs { changes.append(BulletChange(kind: .replace, section: section, text: now, old: was)) }
            for text in added { changes.append(BulletChange(kind: .add, section: section, text: text)) }
            for text in removed { changes.append(BulletChange(kind: .remove, section: section, old: text)) }
        }
        return changes
    }

    /// The texts only `old` has and those only `new` has (counting repeats), in order.
    static func leftovers(_ old: [String], _ new: [String]) -> (removed: [String], added: [String]) {
        var counts: [String: Int] = [:]
        for text in new { counts[text, default: 0] += 1 }
        var removed: [String] = []
        for text in old {
            if let n = counts[text], n > 0 { counts[text] = n - 1 } else { removed.append(text) }
        }
        var added: [String] = []
        for text in new.reversed() {
            if let n = counts[text], n > 0 { added.append(text); counts[text] = n - 1 }
        }
        return (removed, added.reversed())
    }
}
