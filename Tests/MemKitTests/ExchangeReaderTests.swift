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
                     limit: Int? = nil) throws -> (exchanges: [Exchange], lookups: Int) {
        let reader = try ExchangeReader(database: SQLiteDatabase(path: fixture(db)),
                                        chunkSize: chunkSize, windowed: windowed, windowSpan: span)
        var exchanges: [Exchange] = []
        try reader.read(after: cursor, limit: limit) { exchanges.append($0) }
        return (exchanges, reader.messageLookups)
    }

    /// A narrow window cuts through messages' parts at its low end and misses messages
    /// of long chains: those must come by hash, never half.
    @Test(arguments: databases, [1, 2, 3, 7, 200])
    func theWindowReadsWhatLookingUpEveryMessageReads(db: String, chunkSize: Int) throws {
        let expected = try Self.read(db, windowed: false, chunkSize: 200).exchanges
        for span in [1, 2, 3, 5, nil] {
            let windowed = try Self.read(db, windowed: true, chunkSize: chunkSize, span: span).exchanges
            #expect(windowed.count == expected.count, "span \(String(describing: span))")
            for (got, want) in zip(windowed, expected) {
                #expect(got == want, "span \(String(describing: span))")
            }
        }
    }

    @Test(arguments: databases)
    func aReadResumedAfterAnyCursorReadsTheRestOfAFullRead(db: String) throws {
        let full = try Self.read(db, windowed: false, chunkSize: 200).exchanges
        #expect(!full.isEmpty)
        for (i, exchange) in full.enumerated() {
            let rest = try Self.read(db, windowed: true, chunkSize: 4, span: 2, after: Cursor(token: exchange.cursor))
            #expect(rest.exchanges == Array(full[(i + 1)...]), "resuming after \(exchange.cursor)")
            let next = try Self.read(db, windowed: true, chunkSize: 200, after: Cursor(token: exchange.cursor), limit: 1)
            #expect(next.exchanges == Array(full[(i + 1)...].prefix(1)), "one exchange after \(exchange.cursor)")
        }
    }

    @Test func theWindowAnswersMostMessagesWithoutALookUp() throws {
        let plain = try Self.read("modern-0.36.db", windowed: false, chunkSize: 200)
        let windowed = try Self.read("modern-0.36.db", windowed: true, chunkSize: 200)
        // Without the window every input and output message is looked up; with it only
        // those stored before the read (an identical chat, a conversation's root).
        #expect(plain.lookups >= 2 * plain.exchanges.count)
        #expect(windowed.lookups * 4 < plain.lookups, "\(windowed.lookups) look-ups with the window, \(plain.lookups) without")
    }
}
