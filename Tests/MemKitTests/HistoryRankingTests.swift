import Foundation
import Testing
@testable import MemKit

/// The fragment's ranking as the history says it (`BulletRanking.fromHistory`): what was
/// changed last is kept first over budget, wherever it stands in its section.
@Suite struct HistoryRankingTests {
    typealias Lab = HistoryLab

    private func ranking(_ lab: Lab) -> (order: [Int], byPosition: [Int]) {
        let document = ProfileDocument(bytes: Array(lab.profile().utf8))
        return (BulletRanking.fromHistory(of: document, store: lab.store).order(document),
                BulletRanking.byPosition.order(document))
    }

    @Test func aBulletChangedByAnUpdateRanksNewerThanUntouchedOnes() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess"), Lab.add("Interests", "Go"), Lab.add("Interests", "Bouldering"),
                       Lab.add("Preferences", "Tea")], from: "ex1", at: "2026-11-20T10:00:00")
        #expect(ranking(lab).order == ranking(lab).byPosition, "one change: position decides")
        try lab.learn([Lab.replace("Interests", "Chess", "Chess, rated 1800")], from: "ex2", at: "2026-11-21T10:00:00")
        #expect(lab.bullets() == ["Chess, rated 1800", "Go", "Bouldering", "Tea"])
        // The reworded first bullet leads Interests; the untouched ones follow, later first.
        #expect(ranking(lab).order == [0, 3, 2, 1])

        try lab.learn([Lab.add("Interests", "Sailing")], from: "ex3", at: "2026-11-22T10:00:00")
        #expect(ranking(lab).order == [3, 4, 0, 2, 1])
    }

    @Test func aHandEditNotYetJournalledRanksAsTheNewestChange() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.learn([Lab.add("Interests", "Chess"), Lab.add("Interests", "Go")], from: "ex1", at: "2026-11-20T10:00:00")
        try lab.writeProfile(lab.profile().replacingOccurrences(of: "- Chess\n", with: "- Chess\n- Knitting (by hand)\n"))
        #expect(lab.bullets() == ["Chess", "Knitting (by hand)", "Go"])
        #expect(ranking(lab).order == [1, 2, 0])
    }

    @Test func withoutAReadableHistoryTheRankingIsByPosition() throws {
        let lab = try Lab()
        defer { lab.remove() }
        try lab.writeProfile("## Interests\n- Chess\n- Go\n## Preferences\n- Tea\n")
        let document = ProfileDocument(bytes: Array(lab.profile().utf8))
        #expect(BulletRanking.fromHistory(of: document, store: lab.store) == .byPosition, "no history yet")

        // (Said after the hand-written profile, or the present would win over it.)
        try lab.learn([Lab.replace("Interests", "Chess", "Chess, rated 1800")], from: "ex1", at: "2099-01-01T10:00:00")
        #expect(ranking(lab).order == [0, 2, 1] && ranking(lab).byPosition == [1, 2, 0])
        for garbage in ["{not json\n", "\u{0}\u{1}\n"] {
            try Data(garbage.utf8).write(to: URL(fileURLWithPath: lab.store.journalPath))
            try Data(garbage.utf8).write(to: URL(fileURLWithPath: lab.store.historyDirectory + "/provenance.json"))
            #expect(ranking(lab).order == ranking(lab).byPosition, "\(garbage.debugDescription)")
        }
        try FileManager.default.removeItem(atPath: lab.store.journalPath)
        try FileManager.default.createDirectory(atPath: lab.store.journalPath, withIntermediateDirectories: false)
        #expect(ranking(lab).order == ranking(lab).byPosition, "a journal that cannot be read")
    }
}
