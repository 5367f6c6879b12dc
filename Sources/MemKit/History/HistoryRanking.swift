/// The fragment's ranking from the history: where Profile's `BulletRanking` (which does
/// not know History) gets each bullet's last change.
///
/// mem-render is the composition point: it reads the profile, and hands this to
/// `FragmentRenderer` only when the profile is over budget. The provenance is read the way
/// `why` and `blame` read it (`HistoryState`: the cache `history/provenance.json`, brought
/// up to date from the journal or rebuilt from it when missing, unreadable or behind — in
/// memory only, as readers never write), so a bullet's last change is what `blame` shows
/// beside it, a hand edit not yet journalled included.
extension BulletRanking {
    /// Ranks `document`'s bullets by the change that last wrote each, as the history of
    /// the profile `store` names records it. Never fails: without a readable history (none
    /// yet, a journal that cannot be read) it is `.byPosition`, and a bullet the history
    /// does not know (written before there was one) ranks by position after those it knows.
    /// Rendering must not break because its ranking could not be worked out.
    public static func fromHistory(of document: ProfileDocument, store: ProfileStore) -> BulletRanking {
        guard FileSystem.exists(store.journalPath), let state = try? HistoryState.load(store) else { return .byPosition }
        // The profile as the history read it is almost always the one being rendered.
        let bullets = state.document == document ? state.bullets : document.profileBullets
        let provenance = state.current
        guard !provenance.records.isEmpty else { return .byPosition }
        // Exact text first (every bullet, once the history is current), by a table rather
        // than a scan per bullet; then as tolerantly as `blame` pairs them.
        var exact: [String: Int] = [:]
        for record in provenance.records {
            let key = record.sectionKey + "\n" + record.text
            if exact[key] == nil, let change = record.lastChanged?.change { exact[key] = change }
        }
        var lastChange: [Int: Int] = [:]
        for (index, bullet) in bullets.enumerated() {
            if let change = exact[bullet.sectionKey + "\n" + bullet.text]
                ?? provenance.record(section: bullet.section, text: bullet.text)?.lastChanged?.change {
                lastChange[index] = change
            }
        }
        return BulletRanking(lastChange: lastChange)
    }
}
