import Testing
@testable import MemKit

/// Which exchanges a reply decided: an op dropped for a limit never marks its exchange
/// as read, so the batch is cut before it (issue 10 §2).
@Suite struct BatchCutTests {
    typealias Item = ReplyParser.Item

    static func items(_ pairs: [(Int?, Item.Fate)]) -> [Item] { pairs.map { Item(exchange: $0.0, fate: $0.1) } }

    @Test func aReplyWhoseOpsWereAllKeptOrDroppedOnPurposeDecidesEveryExchange() {
        let cut = BatchCut(items: Self.items([(1, .kept), (2, .dropped), (3, .kept), (nil, .kept)]), exchanges: 5, cutOff: false, maxOps: 20)
        #expect(cut.decided == 5)
        #expect(cut.reason == nil)
        // Out of order is fine when nothing is missing.
        #expect(BatchCut(items: Self.items([(3, .kept), (1, .kept)]), exchanges: 3, cutOff: false, maxOps: 20).decided == 3)
    }

    @Test func fortyFiveOneFactExchangesOverTwentyOpsDecideTheFirstTwenty() {
        let items = (1...45).map { Item(exchange: $0, fate: $0 <= 20 ? .kept : .overLimit) }
        let cut = BatchCut(items: items, exchanges: 45, cutOff: false, maxOps: 20)
        #expect(cut.decided == 20)
        #expect(cut.reason == "25 ops were over the limit of 20 per delta")
    }

    @Test func anOpOverTheLimitUndecidesItsOwnExchangeWhateverTheOrder() {
        let items = Self.items([(4, .kept), (1, .kept), (3, .overLimit), (2, .kept)])
        #expect(BatchCut(items: items, exchanges: 4, cutOff: false, maxOps: 3).decided == 2)
    }

    @Test func anUncitedOpOverTheLimitBelongsToTheExchangeBeforeItWhenTheReplyIsInOrder() {
        let inOrder = Self.items([(1, .kept), (2, .kept), (nil, .overLimit), (3, .overLimit)])
        #expect(BatchCut(items: inOrder, exchanges: 3, cutOff: false, maxOps: 2).decided == 1)
        let outOfOrder = Self.items([(2, .kept), (1, .kept), (nil, .overLimit)])
        #expect(BatchCut(items: outOfOrder, exchanges: 3, cutOff: false, maxOps: 2).decided == 0)
    }

    @Test func aReplyCutOffInOrderDecidesTheExchangesBeforeTheLastOneItReached() {
        // Exchanges 1…7 have a complete op, the 8th op was cut before its citation.
        let items = (1...7).map { Item(exchange: $0, fate: .kept) } + [Item(exchange: nil, fate: .cutOff)]
        let cut = BatchCut(items: items, exchanges: 20, cutOff: true, maxOps: 20)
        #expect(cut.decided == 6, "exchange 7 may have had a second op")
        #expect(cut.reason?.contains("cut off") == true)
        // The cut op's citation was read: exchanges before it are whole.
        let cited = (1...7).map { Item(exchange: $0, fate: .kept) } + [Item(exchange: 8, fate: .cutOff)]
        #expect(BatchCut(items: cited, exchanges: 20, cutOff: true, maxOps: 20).decided == 7)
    }

    @Test func aReplyCutOffOutOfOrderDecidesNothing() {
        let items = Self.items([(3, .kept), (1, .kept), (2, .kept)])
        #expect(BatchCut(items: items, exchanges: 5, cutOff: true, maxOps: 20).decided == 0)
        #expect(BatchCut(items: [], exchanges: 5, cutOff: true, maxOps: 20).decided == 0)
    }

    @Test func aReplyThatEndedAfterItsOpsIsNotCutOffEvenWhenTheLastOpIsTheLastExchanges() {
        let items = (1...3).map { Item(exchange: $0, fate: .kept) }
        #expect(BatchCut(items: items, exchanges: 3, cutOff: false, maxOps: 20).decided == 3)
        #expect(BatchCut(items: items, exchanges: 3, cutOff: true, maxOps: 20).decided == 2)
    }
}
