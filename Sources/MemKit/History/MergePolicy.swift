/// The two rules mem-merge enforces on a delta's ops with the history it has, whatever the
/// model proposed (each skipped op is reported with its reason, and journalled under
/// `skipped`):
///
/// - **Forgotten stays forgotten.** In an update or a backfill, an `add`, or a `replace`
///   whose new text, matches a text of the `forgotten` list (`BulletQuery`: the same
///   thing, or mentioning it) is skipped. Undo and forget deltas are the user's own and
///   are not checked.
/// - **The present wins.** A `replace` or `remove` whose exchange is older (its
///   `source_time`, or the delta's `exchanges` entry for its `source`) than what the
///   bullet it would change was learned from — that bullet's newest source exchange, or
///   the time of the change by hand that last wrote it — is skipped: the profile has
///   newer information. An op whose time, or whose bullet's, is unknown is not held back.
public struct MergePolicy: Sendable {
    public var forgotten: [String]
    public var provenance: Provenance
    public var delta: Delta

    public init(forgotten: [String], provenance: Provenance, delta: Delta) {
        self.forgotten = delta.action == .update || delta.action == .backfill ? forgotten : []
        self.provenance = provenance
        self.delta = delta
    }

    /// Why `op` must not be applied to `document`, or nil.
    public func veto(_ op: DeltaOp, _ document: ProfileDocument) -> String? {
        if op.kind != .remove, !forgotten.isEmpty, case let .success(text) = ProfileMerger.cleanText(op.text),
           let entry = forgotten.first(where: { BulletQuery($0).matches(text) }) {
            return "forgotten: you asked to forget '\(entry.shortened(to: 60))' (llm memory forget --undo to let it be learned again)"
        }
        guard op.kind != .add, let opTime = delta.sourceTime(of: op).flatMap(Timestamp.seconds),
              let index = document.sectionIndex(named: op.section) else { return nil }
        let section = document.sections[index]
        let matcher = BulletMatcher(ProfileMerger.cleanedOld(op.old))
        for bullet in section.bullets where ProfileMerger.matches(matcher, bullet) {
            guard let record = provenance.record(section: section.name, text: bullet.text),
                  let event = record.lastChanged, let known = event.informationTime, known > opTime else { continue }
            let source = event.isLearned ? "an exchange of \(MergePolicy.day(known))" : "a change by hand (\(event.action)) of \(MergePolicy.day(known))"
            return "the profile has newer information: '\(bullet.text.shortened(to: 60))' comes from \(source) (change #\(event.change)); this op's exchange is from \(MergePolicy.day(opTime))"
        }
        return nil
    }

    /// `2026-11-25` for a time in seconds since 1970.
    static func day(_ seconds: Double) -> String { String(Timestamp.iso8601(Int(seconds)).prefix(10)) }
}
