/// The profile as the ops of one batch have left it so far, and those ops: what the
/// offline extractor compares each new fact with.
///
/// Why: a batch is often several prompts of one session, and facts change within it —
/// "I'm vegetarian", then three prompts later "I'm pescatarian now". Compared with the
/// profile as it was before the batch, the second fact would find no diet bullet and add
/// a second one; "forget that I like chess" would find no chess bullet and remove
/// nothing. So each change is folded in as it is made, and a later change of a bullet the
/// batch itself made rewrites the op that made it instead of adding one:
///
/// | the bullet was | changed again by a later fact | the delta holds |
/// |---|---|---|
/// | added in this batch | replaced | one `add` of the newest text |
/// | added in this batch | removed | nothing |
/// | the profile's, replaced in this batch | replaced | one `replace` of the profile's text by the newest (nothing when that is the profile's text again) |
/// | the profile's, replaced in this batch | removed | one `remove` of the profile's text |
///
/// The delta then says only where the batch ends up, one op per bullet, and mem-merge has
/// no contradicting ops of one delta to settle. The op that stays moves to the place of
/// the last change and cites its exchange (the one that said the current value), so the
/// ops stay in exchange order, which `BatchCut` relies on when `--max-ops` cuts them.
struct BatchProfile: Sendable {
    /// A bullet as the batch has left it.
    struct Bullet: Sendable {
        var section: String
        var text: String
        /// `text`'s words as `BulletMatcher` normalises them, for whole-word matching.
        var words: [String]
        /// The text the profile holds, for a bullet of the profile; nil for one added in
        /// this batch.
        var original: String?
        /// The index in `slots` of the op that made this bullet what it is; nil while it
        /// is as the profile has it.
        var op: Int?

        init(section: String, text: String, original: String?, op: Int? = nil) {
            self.section = section
            self.text = text
            words = BulletMatcher.normalize(text).split(separator: " ").map(String.init)
            self.original = original
            self.op = op
        }
    }

    private(set) var bullets: [Bullet]
    /// The ops made, in order; nil where a later change of the same bullet took an op's place.
    private var slots: [DeltaOp?] = []

    /// The profile's bullets, before any op.
    init(profile: ProfileDocument) {
        var bullets: [Bullet] = []
        for section in profile.sections {
            for bullet in section.bullets {
                let text = bullet.text.trimmingWhitespace()
                guard !text.isEmpty else { continue }
                bullets.append(Bullet(section: section.name, text: text, original: text))
            }
        }
        self.bullets = bullets
    }

    /// The ops that take the profile to where the batch ends up, in order.
    var ops: [DeltaOp] { slots.compactMap { $0 } }

    /// Whether some bullet already says `text` (tolerantly).
    func holds(_ text: String) -> Bool {
        bullets.contains { BulletMatcher.matches($0.text, text) }
    }

    /// A new bullet.
    mutating func add(section: String, text: String, source: String) {
        bullets.append(Bullet(section: section, text: text, original: nil, op: slots.count))
        slots.append(DeltaOp(kind: .add, section: section, text: text, source: source))
    }

    /// Bullet `index` gets `text`.
    mutating func replace(_ index: Int, with text: String, source: String) {
        let bullet = bullets[index]
        if let earlier = bullet.op { slots[earlier] = nil }
        var changed = Bullet(section: bullet.section, text: text, original: bullet.original)
        if let original = bullet.original {
            if !BulletMatcher.matches(original, text) {
                changed.op = slots.count
                slots.append(DeltaOp(kind: .replace, section: bullet.section, text: text, old: original, source: source))
            }
        } else {
            changed.op = slots.count
            slots.append(DeltaOp(kind: .add, section: bullet.section, text: text, source: source))
        }
        bullets[index] = changed
    }

    /// Bullets `indices` go.
    mutating func remove(_ indices: [Int], source: String) {
        for index in indices {
            let bullet = bullets[index]
            if let earlier = bullet.op { slots[earlier] = nil }
            if let original = bullet.original {
                slots.append(DeltaOp(kind: .remove, section: bullet.section, old: original, source: source))
            }
        }
        let gone = Set(indices)
        bullets = bullets.indices.filter { !gone.contains($0) }.map { bullets[$0] }
    }
}
