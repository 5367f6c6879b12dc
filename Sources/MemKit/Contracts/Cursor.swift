/// How far extraction has gone, in both of llm's log tables at once.
///
/// llm appends to `turns` (0.32+) and an older llm sharing the database may still append
/// to `responses`, so a position is a pair of rowids (insertion = commit order; ids and
/// timestamps are not). Printed as `r<rowid>.t<rowid>` — opaque to the porcelain, which
/// only stores and passes it back.
public struct Cursor: Equatable, Sendable, CustomStringConvertible {
    public var responsesRowid: Int64
    public var turnsRowid: Int64

    public static let start = Cursor(responsesRowid: 0, turnsRowid: 0)

    public init(responsesRowid: Int64, turnsRowid: Int64) {
        self.responsesRowid = responsesRowid
        self.turnsRowid = turnsRowid
    }

    /// Parses a token; an empty token means the start.
    public init(token: String) throws(MemError) {
        let trimmed = token.trimmingWhitespace()
        if trimmed.isEmpty { self = .start; return }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].first == "r", parts[1].first == "t",
              let r = Int64(parts[0].dropFirst()), let t = Int64(parts[1].dropFirst()), r >= 0, t >= 0
        else {
            throw MemError(.usage, "not a cursor: '\(trimmed)' (expected a token like r12.t34 from mem-extract)")
        }
        self.init(responsesRowid: r, turnsRowid: t)
    }

    public var description: String { "r\(responsesRowid).t\(turnsRowid)" }

    /// True when `other` has got at least as far in both tables.
    public func isCovered(by other: Cursor) -> Bool {
        other.responsesRowid >= responsesRowid && other.turnsRowid >= turnsRowid
    }
}
