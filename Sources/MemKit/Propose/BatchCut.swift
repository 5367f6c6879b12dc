/// Which exchanges of one model call its reply decided, so that no fact is ever dropped
/// for lack of room (issue 10 §2): an op dropped for a limit never marks its exchange as
/// read; the batch is cut before it and the rest is proposed again in the next pass.
///
/// The exchanges sent are numbered 1…N; the reply's ops (`ReplyParser.Item`, in the
/// reply's order) each cite one, or none. Exchange k is *decided* when every op the model
/// gave (or would have given) for it is known and was either kept or dropped on purpose
/// (malformed, secret-like, instruction-like, not UTF-8, a duplicate). It is *undecided*
/// when an op of it was dropped for a limit — over `--max-ops`, or the op the reply was
/// cut inside — or when the reply was cut off (`cutOff`) and ops of it may have followed.
/// `decided` is the largest d such that exchanges 1…d are all decided.
///
/// Models answer mostly in exchange order, and this relies on that only as far as the
/// reply shows it:
/// - An op dropped for a limit that cites exchange k makes k undecided, whatever the order.
/// - An op that cites nothing is taken to belong to the exchange the op before it cites
///   (the lowest it can be if the reply is in order), or to exchange 1 when it is first.
/// - A reply cut off: if the citations seen never go down (in order), the ops that never
///   came cite the last exchange seen or a later one, so every exchange before it is
///   decided. If they go down (out of order), the missing ops could be anyone's: nothing
///   is decided.
///
/// `decided == 0` means not even the first exchange is known to be whole: the caller asks
/// again with that exchange alone, and when a single exchange's ops alone do not fit, it
/// keeps what fits, says so, and counts the exchange as read — once, so it cannot loop.
public struct BatchCut: Sendable, Equatable {
    /// Exchanges 1…decided are decided.
    public var decided: Int
    /// Why the rest is not, for stderr; nil when every exchange is decided.
    public var reason: String?

    public init(items: [ReplyParser.Item], exchanges: Int, cutOff: Bool, maxOps: Int) {
        let cited = items.compactMap(\.exchange)
        let inOrder = zip(cited, cited.dropFirst()).allSatisfy { $0 <= $1 }
        let overLimit = items.filter { $0.fate == .overLimit }.count
        let overLimitText = "\(overLimit) op\(overLimit == 1 ? " was" : "s were") over the limit of \(maxOps) per delta"
        var undecided = exchanges + 1
        var reason: String?
        func mark(_ exchange: Int, _ why: String) {
            if exchange < undecided {
                undecided = exchange
                reason = why
            }
        }
        var previous: Int?
        for item in items {
            // The lowest exchange the op can belong to: its own, else (in order) the one before's.
            let lowest = item.exchange ?? (inOrder ? previous ?? 1 : 1)
            previous = item.exchange ?? previous
            switch item.fate {
            case .kept, .dropped: break
            case .overLimit: mark(lowest, overLimitText)
            case .cutOff: mark(inOrder ? lowest : 1, "the reply was cut off inside an op")
            }
        }
        if cutOff {
            mark(inOrder ? (previous ?? 1) : 1,
                 inOrder ? "the reply was cut off, so ops may be missing"
                         : "the reply was cut off and its ops were not in exchange order, so any exchange may miss ops")
        }
        if overLimit > 0, let why = reason, why != overLimitText { reason = why + "; " + overLimitText }
        decided = max(0, min(exchanges, undecided - 1))
        self.reason = decided < exchanges ? reason : nil
    }
}
