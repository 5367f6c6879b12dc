import Foundation
import Testing
@testable import MemKit

/// What a backfill has read of the history before memory's start, and what is left: rowid
/// ranges per log table, the `backfill` file, the stretches the next passes read, and the
/// range a `--since` date names.
@Suite struct BackfillStateTests {
    typealias Range = RowidRanges.Range

    @Test func rangesJoinWhatTouchesAndTheGapsAreWhatIsNotRead() {
        var ranges = RowidRanges()
        ranges.insert(Range(low: 10, high: 20))
        ranges.insert(Range(low: 30, high: 40))
        ranges.insert(Range(low: 20, high: 25))  // touches the first: joined
        ranges.insert(Range(low: 5, high: 5))    // empty: nothing
        #expect(ranges.ranges == [Range(low: 10, high: 25), Range(low: 30, high: 40)])
        #expect(ranges.contains(11) && ranges.contains(25) && !ranges.contains(10) && !ranges.contains(26))
        #expect(ranges.gaps(in: Range(low: 0, high: 50)) == [Range(low: 0, high: 10), Range(low: 25, high: 30), Range(low: 40, high: 50)])
        #expect(ranges.gaps(in: Range(low: 12, high: 24)).isEmpty)
        #expect(ranges.intersection(with: Range(low: 20, high: 35)) == [Range(low: 20, high: 25), Range(low: 30, high: 35)])
        ranges.insert(Range(low: 0, high: 50))
        #expect(ranges.ranges == [Range(low: 0, high: 50)])
    }

    @Test func theBackfillFileReadsBackAsItWasWritten() throws {
        var state = BackfillState(origin: Cursor(responsesRowid: 4, turnsRowid: 90))
        state.done[.turns] = RowidRanges([Range(low: 0, high: 30), Range(low: 50, high: 60)])
        state.done[.responses] = RowidRanges([Range(low: 0, high: 4)])
        state.run = BackfillState.Run(after: Cursor(responsesRowid: 4, turnsRowid: 30), until: Cursor(responsesRowid: 4, turnsRowid: 50))
        var read = BackfillState(origin: state.origin)
        try read.parse(state.text)
        #expect(read == state)
        #expect(state.text.contains("done turns 50 60\n") && state.text.hasSuffix("run r4.t30 r4.t50\n"))
    }

    @Test(arguments: ["done turns 5", "done table 0 1", "done turns 9 3", "run r0.t5 r0.t1", "run r0.t1 r0.t2\nrun r0.t2 r0.t3", "walk"])
    func aBackfillFileThatIsNotWhatItShouldBeIsADataErrorNamingTheLine(text: String) {
        var state = BackfillState(origin: .start)
        do {
            try state.parse("# comment\n\n" + text)
            Issue.record("'\(text)' was read")
        } catch {
            let line = text.contains("\n") ? "line 4" : "line 3"
            #expect(error.status == .dataError && error.message.contains(line), "\(error.message)")
        }
    }

    /// The stretches left are read oldest first, each pairing the next unread stretch of
    /// each table; what a run read up to its progress counts as read.
    @Test func theNextStretchesAreWhatIsLeftOldestFirstAndARunCountsUpToItsProgress() {
        var state = BackfillState(origin: Cursor(responsesRowid: 0, turnsRowid: 100))
        #expect(state.runs(from: .start) == [BackfillState.Run(after: .start, until: Cursor(responsesRowid: 0, turnsRowid: 100))])
        // --last read the newest 20; then a run over the rest got to 30.
        state.done[.turns] = RowidRanges([Range(low: 80, high: 100)])
        state.run = BackfillState.Run(after: .start, until: Cursor(responsesRowid: 0, turnsRowid: 80))
        state.progress = Cursor(responsesRowid: 0, turnsRowid: 30)
        #expect(state.left(from: .start)[.turns] == [Range(low: 30, high: 80)])
        #expect(state.runs(from: .start) == [BackfillState.Run(after: Cursor(responsesRowid: 0, turnsRowid: 30),
                                                               until: Cursor(responsesRowid: 0, turnsRowid: 80))])
        // A range starting later leaves the older part alone.
        #expect(state.runs(from: Cursor(responsesRowid: 0, turnsRowid: 60)).first?.after.turnsRowid == 60)
        state.foldRun()
        #expect(state.run == nil && state.progress == nil)
        #expect(state.done[.turns]?.ranges == [Range(low: 0, high: 30), Range(low: 80, high: 100)])
    }

    @Test(arguments: ["2025-06-01", "2025-06-01T09:00:00", "2025-06-01 09:00:00", "2025-12-31T23:59:59.5+00:00"])
    func sinceTakesADateOrADateAndTimeInUTC(text: String) throws {
        guard case let .since(value) = try BackfillRange.since(parsing: text) else {
            Issue.record("not a since range")
            return
        }
        #expect(value.count == (text.count == 10 ? 10 : 19) && !value.contains(" "))
    }

    @Test(arguments: ["yesterday", "2025-6-1", "2025-13-01", "2025-06-00", "2025-06-32", "2025-06-01T9:00", "06/01/2025"])
    func sinceRefusesWhatIsNotADateAsAUsageError(text: String) {
        #expect(throws: MemError.self) { try BackfillRange.since(parsing: text) }
        do {
            _ = try BackfillRange.since(parsing: text)
        } catch {
            #expect(error.status == .usage && error.message.contains(text))
        }
    }
}
