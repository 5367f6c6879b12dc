import Foundation
import Testing
@testable import MemKit

/// mem-extract reads llm ≥ 0.32's message store through a window of recently stored
/// messages and parts, falling back to look-ups by hash. The window must only decide
/// speed: whatever the chunk size and wherever a read resumes, it reads exactly what
/// looking up every message by hash reads, on databases the real llm wrote
/// (conversations, tool calls, fragments, an identical chat stored once).
@Suite struct ExchangeReaderTests {
    static let databases = ["modern-0.36.db", "upgraded.db", "mixed.db", "legacy-0.31.1.db"]

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)").path
    }

    static func read(_ db: String, windowed: Bool, chunkSize: Int, span: Int? = nil, after cursor: Cursor = .start,
                     limit: Int? = nil, offRecord: OffRecordStretches = .init()) throws -> [Exchange] {
        let reader = try ExchangeReader(database: SQLiteDatabase(path: fixture(db)),
                                        chunkSize: chunkSize, windowed: windowed, windowSpan: span)
        var exchanges: [Exchange] = []
        try reader.read(after: cursor, limit: limit, offRecord: offRecord) { exchanges.append($0) }
        return exchanges
    }

    /// A narrow window cuts through messages' parts at its low end and misses messages
    /// of long chains: those must come by hash, never half.
    @Test(arguments: databases, [1, 2, 3, 7, 200])
    func theWindowReadsWhatLookingUpEveryMessageReads(db: String, chunkSize: Int) throws {
        let expected = try Self.read(db, windowed: false, chunkSize: 200)
        for span in [1, 2, 3, 5, nil] {
            let windowed = try Self.read(db, windowed: true, chunkSize: chunkSize, span: span)
            #expect(windowed.count == expected.count, "span \(String(describing: span))")
            for (got, want) in zip(windowed, expected) {
                #expect(got == want, "span \(String(describing: span))")
            }
        }
    }

    @Test(arguments: databases)
    func aReadResumedAfterAnyCursorReadsTheRestOfAFullRead(db: String) throws {
        let full = try Self.read(db, windowed: false, chunkSize: 200)
        #expect(!full.isEmpty)
        for (i, exchange) in full.enumerated() {
            let rest = try Self.read(db, windowed: true, chunkSize: 4, span: 2, after: Cursor(token: exchange.cursor))
            #expect(rest == Array(full[(i + 1)...]), "resuming after \(exchange.cursor)")
            let next = try Self.read(db, windowed: true, chunkSize: 200, after: Cursor(token: exchange.cursor), limit: 1)
            #expect(next == Array(full[(i + 1)...].prefix(1)), "one exchange after \(exchange.cursor)")
        }
    }

    // MARK: - off the record

    /// The first exchange of a conversation that has later ones, and the cursor before it.
    static func conversationStart(_ exchanges: [Exchange]) throws -> (index: Int, before: Cursor) {
        let index = try #require(exchanges.indices.first { i in
            exchanges[i].conversation != nil
                && exchanges[(i + 1)...].contains { $0.conversation == exchanges[i].conversation }
        })
        return (index, index == 0 ? .start : try Cursor(token: exchanges[index - 1].cursor))
    }

    /// A stretch paused over just the first exchange of a conversation: that exchange and
    /// every later one of its conversation are off the record, nothing else is.
    @Test(arguments: databases)
    func aConversationPausedOnceStaysOffTheRecordAndNothingElseDoes(db: String) throws {
        let full = try Self.read(db, windowed: true, chunkSize: 200)
        let (start, before) = try Self.conversationStart(full)
        let conversation = full[start].conversation
        let paused = OffRecordStretches(stretches: [.init(from: before, to: try Cursor(token: full[start].cursor))])
        let read = try Self.read(db, windowed: true, chunkSize: 3, offRecord: paused)
        #expect(read.map(\.id) == full.map(\.id))
        #expect(read.map(\.cursor) == full.map(\.cursor))
        for (i, (got, plain)) in zip(read, full).enumerated() {
            if i >= start && plain.conversation == conversation {
                #expect(got.skip == .paused, "exchange \(i) of the paused conversation")
                #expect(got.prompt == nil && got.system == nil && got.response.isEmpty && got.fragments.isEmpty)
            } else {
                #expect(got == plain, "exchange \(i) is not in the paused conversation")
            }
        }
    }

    /// What a full read keeps off the record, a read resumed after any cursor keeps off
    /// too: the conversations paused before the cursor are looked up when a read starts.
    @Test(arguments: databases)
    func aResumedReadKeepsOffTheRecordWhatAFullReadDoes(db: String) throws {
        let plain = try Self.read(db, windowed: true, chunkSize: 200)
        let (start, before) = try Self.conversationStart(plain)
        let paused = OffRecordStretches(stretches: [
            .init(from: before, to: try Cursor(token: plain[start].cursor)),
            .init(from: try Cursor(token: plain[plain.count - 3].cursor)),
        ])
        let full = try Self.read(db, windowed: true, chunkSize: 200, offRecord: paused)
        #expect(full.contains { $0.skip == .paused })
        #expect(full.contains { $0.skip == nil })
        for (i, exchange) in full.enumerated() {
            let rest = try Self.read(db, windowed: true, chunkSize: 4, span: 2, after: Cursor(token: exchange.cursor),
                                     offRecord: paused)
            #expect(rest == Array(full[(i + 1)...]), "resuming after \(exchange.cursor)")
        }
    }

    @Test(arguments: databases)
    func theNewestCursorIsTheLastExchangesAndNothingFollowsIt(db: String) throws {
        let all = try Self.read(db, windowed: true, chunkSize: 200)
        let reader = try ExchangeReader(database: SQLiteDatabase(path: Self.fixture(db)))
        let newest = try reader.newest()
        #expect(newest.description == all.last?.cursor)
        #expect(try Self.read(db, windowed: true, chunkSize: 200, after: newest).isEmpty)
    }
}
