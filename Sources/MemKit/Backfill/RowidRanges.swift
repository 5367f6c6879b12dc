/// A set of rowids of one of llm's log tables, as sorted, disjoint, non-adjacent ranges
/// `low < rowid <= high` — the shape cursors give: reading after cursor A through cursor B
/// reads, in each table, the rows above A's rowid and up to B's.
///
/// Why per table: a cursor is a pair of rowids (`responses`, `turns`), and which rows a
/// stretch of reading covers is decided in each table on its own, so "what a backfill has
/// read" and "what is left" are sets of rowids per table, whatever order the two tables'
/// rows were merged in.
public struct RowidRanges: Equatable, Sendable {
    public struct Range: Equatable, Sendable {
        /// Rows after this rowid…
        public var low: Int64
        /// …up to and including this one.
        public var high: Int64

        public init(low: Int64, high: Int64) {
            self.low = low
            self.high = high
        }

        public var isEmpty: Bool { high <= low }
    }

    public private(set) var ranges: [Range] = []

    public init(_ ranges: [Range] = []) {
        for range in ranges { insert(range) }
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public func contains(_ rowid: Int64) -> Bool {
        ranges.contains { $0.low < rowid && rowid <= $0.high }
    }

    /// Adds `range`, joining it with the ranges it overlaps or touches.
    public mutating func insert(_ range: Range) {
        guard !range.isEmpty else { return }
        var merged = range
        var kept: [Range] = []
        for existing in ranges {
            if existing.high < merged.low || existing.low > merged.high {
                kept.append(existing)
            } else {
                merged = Range(low: min(existing.low, merged.low), high: max(existing.high, merged.high))
            }
        }
        kept.append(merged)
        ranges = kept.sorted { $0.low < $1.low }
    }

    /// The rowids of `range` that are not in this set, as ranges, lowest first.
    public func gaps(in range: Range) -> [Range] {
        guard !range.isEmpty else { return [] }
        var out: [Range] = []
        var from = range.low
        for existing in ranges where existing.high > range.low && existing.low < range.high {
            if existing.low > from { out.append(Range(low: from, high: existing.low)) }
            from = max(from, existing.high)
        }
        if from < range.high { out.append(Range(low: from, high: range.high)) }
        return out
    }

    /// The parts of this set inside `range`.
    public func intersection(with range: Range) -> [Range] {
        ranges.compactMap { existing in
            let part = Range(low: max(existing.low, range.low), high: min(existing.high, range.high))
            return part.isEmpty ? nil : part
        }
    }
}
