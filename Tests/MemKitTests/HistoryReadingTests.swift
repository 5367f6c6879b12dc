import Foundation
import Testing
@testable import MemKit

/// Reading the history: the journal from its end, times, the user's texts naming bullets,
/// and what log, why and blame print.
@Suite struct HistoryReadingTests {
    typealias Lab = HistoryLab

    @Test func theLastLinesOfALongJournalAreReadFromItsEndWholeAndInOrder() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.store.prepareDirectories()
        // Lines of varied length so that chunk edges fall inside lines; the last is torn.
        let lines = (1...3000).map { #"{"id":\#($0),"pad":"\#(String(repeating: "x", count: $0 % 97))"}"# }
        try Data((lines.joined(separator: "\n") + "\n{\"id\":30").utf8).write(to: URL(fileURLWithPath: lab.store.journalPath))
        let journal = JournalFile(path: lab.store.journalPath)
        for count in [1, 2, 700, 2999, 3000, 5000] {
            let read = try journal.lastLines(count, numbered: true)
            #expect(read.map { String(decoding: $0.bytes, as: UTF8.self) } == Array(lines.suffix(count)), "\(count)")
            #expect(read.first?.number == 3000 - min(count, 3000) + 1)
        }
        #expect(try journal.nextID() == 3001)
    }

    @Test func timesOfLlmAndOfTheJournalCompareWhateverTheirSpelling() {
        let ours = Timestamp.seconds("2026-11-24T23:57:28Z")
        #expect(ours == 1_795_564_648)
        #expect(Timestamp.seconds("2026-11-24T23:57:28.5+00:00") == 1_795_564_648.5)
        #expect(Timestamp.seconds("2026-11-24 23:57:28") == ours)
        #expect(Timestamp.seconds("2026-11-25T01:57:28+02:00") == ours)
        #expect(Timestamp.seconds("1969-12-31T23:59:59Z") == -1)
        for bad in ["", "yesterday", "2026-13-01T00:00:00", "2026-11-24T23:57:28 junk"] { #expect(Timestamp.seconds(bad) == nil, "\(bad)") }
    }

    @Test func aTextNamesTheBulletsThatSayTheSameThingElseThoseThatMentionItsWords() {
        let bullets = ["Likes bouldering", "Role: Rust developer", "Going to Japan", "Bouldering gym: Arkose"]
        #expect(BulletQuery("likes  BOULDERING!").select(bullets, text: { $0 }) == ["Likes bouldering"])
        #expect(BulletQuery("rust developer").select(bullets, text: { $0 }) == ["Role: Rust developer"])
        #expect(BulletQuery("bouldering").select(bullets, text: { $0 }) == ["Likes bouldering", "Bouldering gym: Arkose"])
        #expect(BulletQuery("go").select(bullets, text: { $0 }) == [])
        #expect(BulletQuery("!!").select(bullets, text: { $0 }) == [])
    }

    @Test func logShowsEachChangeWithItsExchangesWordsAndItsJSONHasStableFields() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Likes bouldering")], from: "ex1", at: "2026-11-20T10:00:00",
                      words: "I've been bouldering twice a week")
        try lab.writeProfile(lab.profile() + "- By hand\n")
        let state = try lab.state()
        let lookup = ExchangeLookup(databasePath: lab.dir + "/no-logs.db")
        let text = HistoryLog.render(try state.newest(10), lookup: lookup, style: HistoryStyle(color: false), json: false)
        #expect(text.hasPrefix("change 2  "), "\(text)")
        #expect(text.contains("hand edit  (not yet recorded)\n    + Preferences: By hand\n"), "\(text)")
        #expect(text.contains("update (test-model)\n    + Interests: Likes bouldering\n    from "), "\(text)")
        #expect(text.contains(#"test-model  "I've been bouldering twice a week"  (no longer in logs.db)"#), "\(text)")
        #expect(lookup.problem?.contains("does not exist") == true)
        let json = HistoryLog.render(try state.newest(1), lookup: lookup, style: HistoryStyle(color: false), json: true)
        let object = try JSONParser.parse(String(json.dropLast()))
        guard case let .object(pairs) = object else { Issue.record("not an object"); return }
        #expect(pairs.map(\.0) == ["id", "time", "action", "recorded", "undoes", "model", "changes", "exchanges", "forget", "unforget", "skipped"])
        #expect(object["recorded"] == .bool(false))
    }

    @Test func blameAnnotatesEveryBulletIncludingOnesWrittenByHand() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Likes bouldering")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.writeProfile(lab.profile() + "- By hand\n  and wrapped\n")
        let lines = Why.blame(try lab.state(), style: HistoryStyle(color: false), json: false).split(separator: "\n")
        let bouldering = try #require(lines.first { $0.hasSuffix("- Likes bouldering") })
        #expect(bouldering.hasPrefix("#1 ") && bouldering.contains("update (test-model)"))
        #expect(lines.filter { $0.hasPrefix("#2* ") && $0.contains("hand edit") }.count == 2, "\(lines)")
        #expect(lines.first { $0.hasSuffix("# User profile") }?.hasPrefix(" ") == true)
    }
}
