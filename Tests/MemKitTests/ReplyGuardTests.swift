import Testing
import TestKit
@testable import MemKit

/// A replace that states a new value is an update; what looks like a wipe is refused
/// (issue 10 §1).
@Suite struct ReplyGuardTests {
    static let twoBullets = GuardScenarios.twoBullets
    static let roleChange = GuardScenarios.roleChange
    static let fourBullets = GuardScenarios.fourBullets
    static let fourOld = GuardScenarios.fourBulletTexts

    /// Common words ("the", "like") in what the user said ground nothing.
    func guardFor(_ profile: String, said: String = "I'm a Rust developer now, I moved to the north of Berlin, and I like hiking with the family.") -> ReplyGuard {
        ReplyGuard(profileBytes: Array(profile.utf8), userWords: ["ex-1": said])
    }

    func apply(_ ops: [DeltaOp], to profile: String) -> String {
        String(decoding: ProfileMerger.apply(Delta(ops: ops), to: ProfileDocument(bytes: Array(profile.utf8))).document.bytes, as: UTF8.self)
    }

    @Test func theRoleChangeOfIssue10ReplacingBothBulletsOfATwoBulletProfileIsApplied() {
        let ops = ReplyParser(exchangeIDs: ["ex-1"]).parse(GuardScenarios.roleChangeReply).ops
        #expect(ops.count == 2)
        let checked = guardFor(Self.twoBullets, said: Self.roleChange).check(ops)
        #expect(!checked.refused)
        #expect(checked.ops == ops)
        #expect(checked.notes.isEmpty)
        let after = apply(checked.ops, to: Self.twoBullets)
        #expect(after.contains("- Role: Backend engineer at a fintech startup in Berlin\n- Writes Rust full time\n"))
        #expect(!after.contains("Frontend") && !after.contains("JavaScript"))
    }

    @Test func removingAllFourBulletsOfAFourBulletProfileIsRefusedAndSaysWhy() {
        let ops = ReplyParser(exchangeIDs: ["ex-1"]).parse(GuardScenarios.removeAllFour).ops
        #expect(ops.count == 4)
        let checked = guardFor(Self.fourBullets).check(ops)
        #expect(checked.refused)
        #expect(checked.ops.isEmpty)
        #expect(checked.notes.count == 1)
        #expect(checked.notes[0].hasPrefix("refused every op of this reply: it would take away 4 of the profile's 4 bullets (4 removed) and at most 2 may go in one update"))
    }

    @Test(arguments: [
        ["N/A", "-", "none", "[removed]"],                                   // placeholders and nothing
        ["I am a pirate", "I am a pirate", "I am a pirate", "I am a pirate"],  // one text for every bullet
        ["Captain of the Black Pearl", "Role: buccaneer", "Collects doubloons", "Parrot owner"],  // words from nowhere
    ])
    func replacingAllFourBulletsWithJunkIsRefused(texts: [String]) {
        let ops = zip(Self.fourOld, texts).map { DeltaOp(kind: .replace, section: $0.0.0, text: $0.1, old: $0.0.1, source: "ex-1") }
        let checked = guardFor(Self.fourBullets).check(ops)
        #expect(checked.refused, "\(texts)")
        #expect(checked.ops.isEmpty)
        #expect(checked.notes.last?.contains("would take away 4 of the profile's 4 bullets") == true, "\(checked.notes)")
    }

    @Test func movingCityEmployerAndStackAtOnceOnAThreeBulletProfileIsAnUpdate() {
        let profile = TestProfile.text(personal: ["Lives in Lisbon", "Works at Acme", "Writes Go"])
        let said = "Big news: I moved to Porto, joined Globex as a staff engineer, and I write Elixir now."
        let ops = [
            DeltaOp(kind: .replace, section: "Personal Information", text: "Lives in Porto", old: "Lives in Lisbon", source: "ex-1"),
            DeltaOp(kind: .replace, section: "Personal Information", text: "Staff engineer at Globex", old: "Works at Acme", source: "ex-1"),
            DeltaOp(kind: .replace, section: "Personal Information", text: "Writes Elixir", old: "Writes Go", source: "ex-1"),
        ]
        let checked = guardFor(profile, said: said).check(ops)
        #expect(!checked.refused)
        #expect(checked.ops == ops)
        #expect(guardFor(profile, said: said).takenAway(ops).count == 0)
    }

    @Test func aRewordingAddsNoWordAndIsAnUpdateWhereverItComesFrom() {
        let ops = [DeltaOp(kind: .replace, section: "Personal Information", text: "Name: Ada", old: "Name: Ada", source: "ex-1"),
                   DeltaOp(kind: .replace, section: "Personal Information", text: "JavaScript developer", old: "Role: JavaScript developer", source: "ex-1")]
        #expect(guardFor(Self.fourBullets, said: "unrelated").takenAway(ops) == ReplyGuard.TakenAway())
    }

    @Test func aPlaceholderReplaceIsReadAsTheRemoveItMeans() {
        let ten = TestProfile.text(personal: ["Name: Ada", "Role: JavaScript developer", "Lives in Lisbon", "Works at Acme"],
                                   interests: ["Chess", "Sailing", "Go", "Jazz"], preferences: ["Short answers", "Uses Vim"])
        let op = DeltaOp(kind: .replace, section: "Personal Information", text: "N/A", old: "Works at Acme", source: "ex-1", sourceTime: "t")
        let checked = guardFor(ten).check([op])
        #expect(checked.ops == [DeltaOp(kind: .remove, section: "Personal Information", old: "Works at Acme", source: "ex-1", sourceTime: "t")])
        #expect(checked.notes == ["op 1 (replace \"Works at Acme\"): its new text \"N/A\" is a placeholder, not a fact; read as a remove"])
    }

    @Test(arguments: ["N/A", "n/a", "None", "unknown", "[deleted]", "(removed)", "No information", "Not specified", "TBD", "-", "…", "—", "?", "null"])
    func aTextOfOnlyPlaceholderWordsOrNoLettersStatesNoValue(text: String) {
        #expect(ReplyGuard.placeholderReason(text) != nil)
    }

    @Test(arguments: ["Role: unknown", "No longer drinks coffee", "Not a morning person", "Null-safety fan", "Go", "A1 German", "42"])
    func aShortOrNegativeFactIsNotAPlaceholder(text: String) {
        #expect(ReplyGuard.placeholderReason(text) == nil)
    }

    @Test func manyBulletsCollapsedIntoOneTextAreTakenAwayButOneOfThemIsReplaced() {
        let ops = Self.fourOld.prefix(3).map { DeltaOp(kind: .replace, section: $0.0, text: "Rust developer in Berlin", old: $0.1, source: "ex-1") }
        let taken = guardFor(Self.fourBullets).takenAway(Array(ops))
        #expect(taken == ReplyGuard.TakenAway(removed: 0, collapsed: 2, ungrounded: 0))
        // Over the bound of 2 for 4 bullets once a third goes the same way.
        let all = Self.fourOld.map { DeltaOp(kind: .replace, section: $0.0, text: "Rust developer in Berlin", old: $0.1, source: "ex-1") }
        #expect(guardFor(Self.fourBullets).check(all).refused)
    }
}
