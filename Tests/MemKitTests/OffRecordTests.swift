import Foundation
import Testing
@testable import MemKit

/// Off the record (README, "Off the record"): the marker fragment, the paused stretches of
/// `<memory dir>/off-record`, and how an exchange kept off the record is written and read.
@Suite struct OffRecordTests {
    static func repoFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path).path
    }

    // MARK: - the marker

    @Test func theMarkersHashIsTheSHA256OfItsContent() {
        #expect(SHA256.hex(Array(OffRecordMarker.content.utf8)) == OffRecordMarker.sha256)
        #expect(OffRecordMarker.content.trimmingWhitespace().isEmpty, "the model's system prompt would change")
        #expect(!OffRecordMarker.content.contains("\r"), "Python's text mode would turn it into something else")
    }

    @Test func theShippedMarkerFileHoldsExactlyTheMarker() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.repoFile("share/llm-memory/off-record.md")))
        #expect(Array(bytes) == Array(OffRecordMarker.content.utf8))
    }

    @Test func thePluginAdapterServesExactlyTheMarker() throws {
        let source = try String(contentsOfFile: Self.repoFile("integrations/llm-user-memory-plugin/llm_user_memory_adapter/__init__.py"),
                                encoding: .utf8)
        #expect(source.contains(#"OFF_RECORD = " \t\n\t \n""#), "the adapter's OFF_RECORD is not the marker's content")
    }

    // MARK: - the stretches file

    @Test func pausesAndResumesPairUpInOrderAndAnOpenPauseRunsToTheEnd() throws {
        let stretches = try OffRecordStretches(parsing: """
            # llm-user-memory: paused stretches
            pause r0.t5 2026-01-01T10:00:00Z
            resume r0.t9 2026-01-01T11:00:00Z

            resume r0.t12 2026-01-01T11:30:00Z
            pause r1.t20 2026-01-02T10:00:00Z
            pause r1.t25 2026-01-02T10:05:00Z
            """)
        #expect(stretches.stretches == [
            .init(from: Cursor(responsesRowid: 0, turnsRowid: 5), to: Cursor(responsesRowid: 0, turnsRowid: 9),
                  until: "2026-01-01T11:00:00"),
            .init(from: Cursor(responsesRowid: 1, turnsRowid: 20)),
        ])
    }

    @Test func aLineThatIsNotAPauseOrResumeIsAnErrorNamingIt() {
        for (text, line) in [("pause r0.t1\nstop r0.t2\n", 2), ("pause yesterday", 1), ("resume r0.t1 noon", 1),
                             ("pause r0.t1 2026-01-01T10:00:00Z extra", 1)] {
            #expect {
                try OffRecordStretches(parsing: text)
            } throws: { error in
                (error as? MemError)?.status == .dataError && (error as? MemError)?.message.contains("line \(line)") == true
            }
        }
    }

    @Test func aMissingFileListsNoStretches() throws {
        #expect(try OffRecordStretches(path: "/nonexistent/off-record").isEmpty)
    }

    @Test func aClosedStretchHoldsWhatCommittedAfterThePauseAndByTheResumeInEachTable() {
        let stretch = OffRecordStretches.Stretch(from: Cursor(responsesRowid: 3, turnsRowid: 10),
                                                 to: Cursor(responsesRowid: 3, turnsRowid: 12))
        #expect(!stretch.contains(.turns, rowid: 10, datetime: nil))
        #expect(stretch.contains(.turns, rowid: 11, datetime: nil))
        #expect(stretch.contains(.turns, rowid: 12, datetime: nil))
        #expect(!stretch.contains(.turns, rowid: 13, datetime: nil))
        // Nothing was logged to responses while paused.
        #expect(!stretch.contains(.responses, rowid: 4, datetime: nil))
    }

    @Test func aCallStartedWhilePausedButCommittedAfterTheResumeIsInside() {
        let stretch = OffRecordStretches.Stretch(from: Cursor(responsesRowid: 0, turnsRowid: 10),
                                                 to: Cursor(responsesRowid: 0, turnsRowid: 12), until: "2026-01-01T11:00:05")
        // llm sets datetime_utc when a call starts; the resume's time counts to the second.
        #expect(stretch.contains(.turns, rowid: 14, datetime: "2026-01-01T11:00:04.999999+00:00"))
        #expect(stretch.contains(.turns, rowid: 14, datetime: "2026-01-01T11:00:05.900000+00:00"))
        #expect(stretch.contains(.turns, rowid: 14, datetime: "2026-01-01 11:00:05"))
        #expect(!stretch.contains(.turns, rowid: 14, datetime: "2026-01-01T11:00:06.000000+00:00"))
        // Committed before the pause: not inside, whenever it started.
        #expect(!stretch.contains(.turns, rowid: 9, datetime: "2026-01-01T10:59:00+00:00"))
    }

    /// A resume and the next call often share a second; the resume's time to the
    /// microsecond keeps a call started after it on the record.
    @Test func aResumeToTheMicrosecondKeepsACallStartedInTheSameSecondAfterItOnTheRecord() throws {
        let stretches = try OffRecordStretches(parsing: """
            pause r0.t10 2026-01-01T11:00:00.100000Z
            resume r0.t12 2026-01-01T11:00:05.500000Z
            """)
        let stretch = try #require(stretches.stretches.first)
        #expect(stretch.until == "2026-01-01T11:00:05.500000")
        #expect(stretch.contains(.turns, rowid: 14, datetime: "2026-01-01T11:00:05.499999+00:00"))
        #expect(stretch.contains(.turns, rowid: 14, datetime: "2026-01-01T11:00:05.500000+00:00"))
        #expect(!stretch.contains(.turns, rowid: 14, datetime: "2026-01-01T11:00:05.500001+00:00"))
        // Python's isoformat() leaves out a zero fraction: that is the second's start.
        #expect(stretch.contains(.turns, rowid: 14, datetime: "2026-01-01T11:00:05+00:00"))
        #expect(!stretch.contains(.turns, rowid: 14, datetime: "2026-01-01T11:00:06+00:00"))
        // A shorter fraction is read as written (.6 is 600000 µs).
        #expect(!stretch.contains(.turns, rowid: 14, datetime: "2026-01-01 11:00:05.6"))
    }

    @Test func aResumeTimeThatIsNotATimeIsAnErrorNamingItsLine() {
        for text in ["resume r0.t1 2026-01-01T11:00:05.x", "resume r0.t1 2026-01-01"] {
            #expect(throws: MemError.self) { try OffRecordStretches(parsing: "pause r0.t0\n" + text) }
        }
    }

    @Test func anOpenStretchHoldsEverythingCommittedAfterThePause() {
        let stretch = OffRecordStretches.Stretch(from: Cursor(responsesRowid: 2, turnsRowid: 10))
        #expect(stretch.contains(.turns, rowid: 1_000_000, datetime: nil))
        #expect(stretch.contains(.responses, rowid: 3, datetime: nil))
        #expect(!stretch.contains(.responses, rowid: 2, datetime: nil))
    }

    // MARK: - the record

    @Test func anExchangeOffTheRecordIsWrittenWithNullTextAndItsReason() throws {
        let exchange = Exchange(id: "01a", conversation: "c1", model: "echo", datetime: "2026-01-01T10:00:00",
                                prompt: "I live in Madrid", system: "be brief",
                                fragments: [.init(kind: .system, source: "/home/me/notes.md")],
                                response: "Noted, you live in Madrid", cursor: "r0.t3", skip: .paused)
        var buffer = ByteBuffer(capacity: 256)
        exchange.writeJSON(into: &buffer)
        let line = try buffer.withBytes { String(decoding: $0, as: UTF8.self) }
        #expect(line == #"{"id":"01a","conversation":"c1","model":"echo","datetime":"2026-01-01T10:00:00","prompt":null,"system":null,"fragments":[],"response":null,"cursor":"r0.t3","skip":"paused"}"#)
        #expect(!line.contains("Madrid"))
        #expect(exchange.json.serialized() == line)
        let back = try Exchange.readLines(Array(line.utf8))
        #expect(back == [exchange])
    }

    @Test func anExchangeOnTheRecordHasNoSkipField() throws {
        let exchange = Exchange(id: "01a", conversation: nil, model: nil, datetime: nil, prompt: "hi", system: nil,
                                fragments: [], response: "hello", cursor: "r0.t1")
        var buffer = ByteBuffer(capacity: 256)
        exchange.writeJSON(into: &buffer)
        #expect(try !buffer.withBytes { String(decoding: $0, as: UTF8.self) }.contains("skip"))
    }

    /// A record marked off the record gives mem-propose nothing to send, whatever text it
    /// carries (one written by hand or by another tool).
    @Test func aSkipRecordThatCarriesTextIsReadWithoutIt() throws {
        let line = #"{"id":"01a","cursor":"r0.t1","prompt":"I am a dentist","system":"s","response":"r","fragments":[{"kind":"system","source":"x"}],"skip":"disabled"}"#
        let exchange = try #require(try Exchange.readLines(Array(line.utf8)).first)
        #expect(exchange.skip == .disabled)
        #expect(exchange.prompt == nil && exchange.system == nil && exchange.response.isEmpty && exchange.fragments.isEmpty)
        #expect(!Gate.mayDisclose(exchange))
    }

    @Test func anUnknownSkipReasonIsRefused() {
        let line = #"{"id":"01a","cursor":"r0.t1","prompt":"I am a dentist","skip":"maybe"}"#
        #expect(throws: MemError.self) { try Exchange.readLines(Array(line.utf8)) }
    }
}
