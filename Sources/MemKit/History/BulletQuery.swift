/// How a text the user gives (`why TEXT`, `forget TEXT`, a line of the forgotten list)
/// names bullets: a bullet that says the same thing (`BulletMatcher`, as tolerant as
/// mem-merge is with an op's `old`), or one that mentions it — its words, in order, as
/// whole words ("bouldering" names "Likes bouldering"; "go" does not name "Going to Japan").
public struct BulletQuery: Sendable {
    public let text: String
    let matcher: BulletMatcher

    public init(_ text: String) {
        self.text = text
        matcher = BulletMatcher(text)
    }

    /// Whether `bullet` says the same thing.
    public func isSame(_ bullet: String) -> Bool { matcher.matches(bullet) }

    /// Whether `bullet` holds the query's words, in order, as whole words.
    public func isMentioned(in bullet: String) -> Bool {
        let words = matcher.normalized
        guard !words.isEmpty else { return false }
        return (" " + BulletMatcher.normalize(bullet) + " ").contains(" " + words + " ")
    }

    public func matches(_ bullet: String) -> Bool { isSame(bullet) || isMentioned(in: bullet) }

    /// The items the query names: those that say the same thing, or if none does, those
    /// that mention it.
    public func select<T>(_ items: [T], text: (T) -> String) -> [T] {
        let same = items.filter { isSame(text($0)) }
        return same.isEmpty ? items.filter { isMentioned(in: text($0)) } : same
    }
}
