/// What happened to one op of a delta.
public struct MergeOutcome: Equatable, Sendable {
    public var op: DeltaOp
    /// True when the op changed the profile.
    public var applied: Bool
    /// For an applied op, what it did ("added", "replaced", …); for a skipped op, why not.
    public var detail: String

    public init(op: DeltaOp, applied: Bool, detail: String) {
        self.op = op
        self.applied = applied
        self.detail = detail
    }

    /// One line for stderr: `skipped remove in Interests: no bullet matches 'x'`.
    public var summary: String {
        "\(applied ? "applied" : "skipped") \(op.kind.rawValue) in \(ProfileMerger.oneLine(op.section)): \(detail)"
    }
}

public struct MergeResult: Equatable, Sendable {
    public var document: ProfileDocument
    public var outcomes: [MergeOutcome]
    /// True when the document's bytes differ from the input's.
    public var changed: Bool

    public var applied: [MergeOutcome] { outcomes.filter(\.applied) }
    public var skipped: [MergeOutcome] { outcomes.filter { !$0.applied } }
}

/// Applies a delta's ops, in order, to a profile. Only bullets named by ops change; every
/// other line keeps its bytes. The rules (documented in the README):
///
/// - Sections match case-insensitively and whitespace-tolerantly; an op goes to the first
///   matching section. Bullets match with `BulletMatcher`.
/// - `add`: nothing to do if an equal bullet is already in the section. Otherwise `- text`
///   goes after the section's last top-level bullet (and its continuation), with a blank
///   line before it if the list is loose; in a section without bullets, after the heading,
///   with a blank line between heading and bullet when most sections of the file do so (or
///   the file has no bullets yet). A missing section is created at the end of the file
///   (`## Name`, blank line, bullet) if the name is a sane heading: 1–60 characters, one
///   line, no `#`.
/// - `replace`: the first bullet matching `old` gets the new text (same marker, nested
///   lines kept; a wrapped item becomes one line, unless `old` matched only its first
///   line, then only that line changes); further bullets matching `old` are removed
///   (they said the same thing).
///   If the new text is already in the section, the matching bullets are removed instead.
///   If nothing matches `old`, it is an `add` of `text`.
/// - `remove`: every bullet of the section matching `old` goes, with its continuation
///   lines (so a duplicated fact is forgotten in one go and a second run has nothing to do).
///   When the removal leaves two blank lines together, one goes too.
/// - Op texts are single-line: whitespace runs (newlines included) become one space,
///   control characters are dropped, a leading `- `/`* `/`+ ` marker is dropped. Empty text
///   and text containing `<!--` (it would hide the rest of the file) are skipped.
/// - New lines use the file's dominant line ending; a file without a final newline keeps
///   ending without one.
///
/// - Ops of one delta that contradict each other: an op taking away a text that a later op
///   of the same delta puts in the same section is skipped — the later op wins.
///
/// Applying the same delta twice changes nothing the second time: should a second run of
/// the ops over their own result still change it (ops of one delta interacting), the runs
/// are repeated until nothing changes (at most `maxSettlingPasses` more) and that is the result.
public enum ProfileMerger {
    /// Why an op must be skipped, given the document as the ops before it left it (the
    /// history's rules: `MergePolicy`); nil to apply it.
    public typealias Veto = (DeltaOp, ProfileDocument) -> String?

    public static func apply(_ delta: Delta, to document: ProfileDocument, veto: Veto? = nil) -> MergeResult {
        let (first, outcomes) = pass(delta, document, veto: veto)
        // Ops of one delta can interact (say, an add and a remove of the same bullet in a
        // section with no other bullets) so that a second run would still move a blank
        // line. Settle now, so that applying the same delta again changes nothing.
        var doc = first
        for _ in 0..<maxSettlingPasses {
            let (next, _) = pass(delta, doc, veto: veto)
            if next.bytes == doc.bytes { break }
            doc = next
        }
        return MergeResult(document: doc, outcomes: outcomes, changed: doc.bytes != document.bytes)
    }

    static let maxSettlingPasses = 4

    /// One run of the delta's ops, in order.
    static func pass(_ delta: Delta, _ document: ProfileDocument, veto: Veto?) -> (ProfileDocument, [MergeOutcome]) {
        var doc = document
        var outcomes: [MergeOutcome] = []
        let superseded = supersededOps(delta.ops)
        for (index, op) in delta.ops.enumerated() {
            if let later = superseded[index] {
                outcomes.append(MergeOutcome(op: op, applied: false,
                                             detail: "contradicted by op \(later + 1) of the same delta, which wins"))
                continue
            }
            if let reason = veto?(op, doc) {
                outcomes.append(MergeOutcome(op: op, applied: false, detail: reason))
                continue
            }
            outcomes.append(apply(op, to: &doc))
        }
        return (doc, outcomes)
    }

    /// Ops that take away a text (`remove`, or `replace`'s `old`) which a later op of the
    /// same delta puts in the same section (`add`, or `replace`'s `text`): the later op is
    /// the model's last word. Without this, a second run would take the text away and put
    /// it back at the end. Maps each superseded op to the op that wins.
    static func supersededOps(_ ops: [DeltaOp]) -> [Int: Int] {
        var result: [Int: Int] = [:]
        for (i, earlier) in ops.enumerated() where earlier.kind != .add {
            guard case let .success(old) = cleanText(earlier.old) else { continue }
            let matcher = BulletMatcher(old)
            let section = ProfileDocument.sectionKey(earlier.section)
            for j in (i + 1)..<ops.count {
                let later = ops[j]
                guard later.kind != .remove, ProfileDocument.sectionKey(later.section) == section,
                      case let .success(text) = cleanText(later.text), matcher.matches(text) else { continue }
                result[i] = j
                break
            }
        }
        return result
    }

    /// The lines a command reports on stderr: one per skipped op, then a summary
    /// (`applied 2 ops, skipped 1`).
    public static func reportLines(_ result: MergeResult) -> [String] {
        var lines = result.skipped.map(\.summary)
        let applied = result.applied.count
        let skipped = result.skipped.count
        lines.append("applied \(applied) op\(applied == 1 ? "" : "s"), skipped \(skipped)")
        return lines
    }

    /// Applies one op; on a skip the document is left exactly as it was.
    public static func apply(_ op: DeltaOp, to doc: inout ProfileDocument) -> MergeOutcome {
        let before = doc
        var outcome: MergeOutcome
        switch op.kind {
        case .add: outcome = add(op, &doc)
        case .replace: outcome = replace(op, &doc)
        case .remove: outcome = remove(op, &doc)
        }
        if outcome.applied, let problem = verify(op, before: before, after: doc) {
            doc = before
            outcome = MergeOutcome(op: op, applied: false, detail: problem)
        }
        if !outcome.applied { doc = before }
        return outcome
    }

    // MARK: - Ops

    private static func add(_ op: DeltaOp, _ doc: inout ProfileDocument) -> MergeOutcome {
        let text: String
        switch cleanText(op.text) {
        case let .failure(reason): return MergeOutcome(op: op, applied: false, detail: reason)
        case let .success(clean): text = clean
        }
        return addText(text, op: op, &doc, effect: "added")
    }

    private static func addText(_ text: String, op: DeltaOp, _ doc: inout ProfileDocument,
                                effect: String) -> MergeOutcome {
        guard let sectionIndex = doc.sectionIndex(named: op.section) else {
            guard let name = saneSectionName(op.section) else {
                return MergeOutcome(op: op, applied: false, detail:
                    "'\(oneLine(op.section))' is not a usable section name (1–60 characters, one line, no '#')")
            }
            createSection(name, bullet: text, in: &doc)
            return MergeOutcome(op: op, applied: true, detail: effect + " (new section)")
        }
        let section = doc.sections[sectionIndex]
        let matcher = BulletMatcher(text)
        if section.bullets.contains(where: { matches(matcher, $0) }) {
            return MergeOutcome(op: op, applied: false, detail: "already there: '\(shorten(text))'")
        }
        insertBullet(text, inSection: sectionIndex, &doc)
        return MergeOutcome(op: op, applied: true, detail: effect)
    }

    private static func replace(_ op: DeltaOp, _ doc: inout ProfileDocument) -> MergeOutcome {
        let text: String
        switch cleanText(op.text) {
        case let .failure(reason): return MergeOutcome(op: op, applied: false, detail: reason)
        case let .success(clean): text = clean
        }
        let oldMatcher = BulletMatcher(cleanedOld(op.old))
        guard let sectionIndex = doc.sectionIndex(named: op.section) else {
            return addText(text, op: op, &doc, effect: "added (nothing matched old)")
        }
        let section = doc.sections[sectionIndex]
        let targets = section.bullets.indices.filter { matches(oldMatcher, section.bullets[$0]) }
        if targets.isEmpty {
            return addText(text, op: op, &doc, effect: "added (nothing matched old)")
        }
        let newMatcher = BulletMatcher(text)
        let present = section.bullets.indices.contains { !targets.contains($0) && matches(newMatcher, section.bullets[$0]) }
        if present {
            removeBullets(targets.map { section.bullets[$0] }, &doc)
            return MergeOutcome(op: op, applied: true, detail: "removed the old bullet (the new text is already there)")
        }
        let first = section.bullets[targets[0]]
        let extra = targets.dropFirst().map { section.bullets[$0] }
        // A wrapped item whose first line alone matched keeps its other lines.
        let wholeParagraph = oldMatcher.matches(first.text)
        if (wholeParagraph ? first.text : first.firstLineText) == text, extra.isEmpty {
            return MergeOutcome(op: op, applied: false, detail: "already there: '\(shorten(text))'")
        }
        // Remove the later duplicates first so the first target's line numbers hold.
        removeBullets(Array(extra), &doc)
        rewriteBullet(first, text: text, wholeParagraph: wholeParagraph, &doc)
        return MergeOutcome(op: op, applied: true, detail: extra.isEmpty ? "replaced" : "replaced (and removed \(extra.count) duplicate\(extra.count == 1 ? "" : "s"))")
    }

    private static func remove(_ op: DeltaOp, _ doc: inout ProfileDocument) -> MergeOutcome {
        let old = cleanedOld(op.old)
        guard let sectionIndex = doc.sectionIndex(named: op.section) else {
            return MergeOutcome(op: op, applied: false, detail: "no section named '\(oneLine(op.section))'")
        }
        let matcher = BulletMatcher(old)
        let targets = doc.sections[sectionIndex].bullets.filter { matches(matcher, $0) }
        if targets.isEmpty {
            return MergeOutcome(op: op, applied: false, detail: "no bullet matches '\(shorten(old))'")
        }
        removeBullets(targets, &doc)
        return MergeOutcome(op: op, applied: true, detail: targets.count == 1 ? "removed" : "removed \(targets.count) bullets")
    }

    /// Checks that an applied op left the structure intact: the same sections (one more
    /// when the op created one), and the new text findable where it was put.
    private static func verify(_ op: DeltaOp, before: ProfileDocument, after: ProfileDocument) -> String? {
        let unusable = "could not place the bullet unambiguously (an unclosed code block or comment nearby?)"
        let namesBefore = before.sections.map(\.name)
        let namesAfter = after.sections.map(\.name)
        if namesAfter != namesBefore, Array(namesAfter.dropLast()) != namesBefore {
            return unusable
        }
        if op.kind != .remove, case let .success(text) = cleanText(op.text) {
            let matcher = BulletMatcher(text)
            guard let index = after.sectionIndex(named: op.section),
                  after.sections[index].bullets.contains(where: { matches(matcher, $0) })
            else { return unusable }
        }
        return nil
    }

    /// Whether a bullet says what `matcher` says: its whole text, or (for an item wrapped
    /// over several lines) its first line.
    static func matches(_ matcher: BulletMatcher, _ bullet: ProfileDocument.Bullet) -> Bool {
        matcher.matches(bullet.text) || (bullet.paragraph.count > 1 && matcher.matches(bullet.firstLineText))
    }

    // MARK: - Editing lines

    private static func insertBullet(_ text: String, inSection sectionIndex: Int, _ doc: inout ProfileDocument) {
        let section = doc.sections[sectionIndex]
        let bullet = "- " + text
        if let last = section.bullets.last {
            var newLines: [String] = []
            if section.bullets.count >= 2 {
                let previous = section.bullets[section.bullets.count - 2]
                let gap = previous.block.upperBound..<last.line
                if !gap.isEmpty, gap.allSatisfy({ doc.kinds[$0] == .blank }) { newLines.append("") }
            }
            newLines.append(bullet)
            insert(newLines, at: last.block.upperBound, &doc)
            return
        }
        let blankStyle = blankLineAfterHeadings(doc)
        var position = section.heading + 1
        var newLines: [String] = []
        if blankStyle {
            if position < section.body.upperBound, doc.kinds[position] == .blank {
                position += 1
            } else {
                newLines.append("")
            }
        }
        newLines.append(bullet)
        if position < doc.lines.count, doc.kinds[position] != .blank {
            var isHeading = false
            if case .heading = doc.kinds[position] { isHeading = true }
            if blankStyle || !isHeading { newLines.append("") }
        }
        insert(newLines, at: position, &doc)
    }

    private static func createSection(_ name: String, bullet text: String, in doc: inout ProfileDocument) {
        var newLines: [String] = []
        if let fence = doc.unclosedFence {
            newLines.append(String(decoding: fence, as: UTF8.self))
        } else if doc.endsInsideComment {
            newLines.append("-->")
        }
        let lastIsBlank = doc.lines.isEmpty || (newLines.isEmpty && doc.kinds.last == .blank)
        if !lastIsBlank { newLines.append("") }
        newLines.append("## " + name)
        if blankLineAfterHeadings(doc) { newLines.append("") }
        newLines.append("- " + text)
        insert(newLines, at: doc.lines.count, &doc)
    }

    /// Whether the file puts a blank line between a heading and its first bullet (most
    /// sections with bullets decide; with none, yes).
    static func blankLineAfterHeadings(_ doc: ProfileDocument) -> Bool {
        var blank = 0
        var compact = 0
        for section in doc.sections {
            guard let first = section.bullets.first else { continue }
            if first.line == section.heading + 1 {
                compact += 1
            } else if ((section.heading + 1)..<first.line).allSatisfy({ doc.kinds[$0] == .blank }) {
                blank += 1
            }
        }
        return blank >= compact
    }

    /// Inserts lines (given without endings) before line `position`, using the dominant
    /// ending; at the end of a file without a final newline the file keeps ending without one.
    private static func insert(_ texts: [String], at position: Int, _ doc: inout ProfileDocument) {
        let ending = doc.dominantEnding
        var newLines = texts.map { ProfileDocument.Line($0, ending: ending) }
        if position == doc.lines.count, doc.endsWithoutNewline, !newLines.isEmpty {
            var last = doc.lines[position - 1]
            last.ending = ending
            newLines[newLines.count - 1].ending = .none
            newLines.insert(last, at: 0)
            doc.replaceLines((position - 1)..<position, with: newLines)
        } else {
            doc.replaceLines(position..<position, with: newLines)
        }
    }

    /// Removes bullets (with their blocks), last first so earlier line numbers stay valid.
    private static func removeBullets(_ bullets: [ProfileDocument.Bullet], _ doc: inout ProfileDocument) {
        for bullet in bullets.sorted(by: { $0.line > $1.line }) {
            removeLines(bullet.block, &doc)
        }
    }

    /// Removes lines; when that leaves two blank lines together (or a blank last line
    /// where the bullet was), one of them goes too.
    private static func removeLines(_ range: Range<Int>, _ doc: inout ProfileDocument) {
        let noFinalNewline = doc.endsWithoutNewline
        var range = range
        if range.lowerBound > 0, doc.kinds[range.lowerBound - 1] == .blank {
            if range.upperBound < doc.lines.count {
                if doc.kinds[range.upperBound] == .blank { range = range.lowerBound..<(range.upperBound + 1) }
            } else {
                range = (range.lowerBound - 1)..<range.upperBound
            }
        }
        doc.replaceLines(range, with: [])
        if noFinalNewline, var last = doc.lines.last, last.ending != .none {
            last.ending = .none
            doc.replaceLines((doc.lines.count - 1)..<doc.lines.count, with: [last])
        }
    }

    /// Gives a bullet new text: same marker and spacing, its paragraph lines become one
    /// line, nested lines stay.
    private static func rewriteBullet(_ bullet: ProfileDocument.Bullet, text: String, wholeParagraph: Bool,
                                      _ doc: inout ProfileDocument) {
        let content = doc.lines[bullet.line].content
        var prefixEnd = 1
        while prefixEnd < content.count, content[prefixEnd] == 0x20 || content[prefixEnd] == 0x09 { prefixEnd += 1 }
        let range = wholeParagraph ? bullet.paragraph : bullet.line..<(bullet.line + 1)
        let ending = doc.lines[range.upperBound - 1].ending
        let line = ProfileDocument.Line(content: Array(content[..<prefixEnd]) + Array(text.utf8), ending: ending)
        doc.replaceLines(range, with: [line])
    }

    // MARK: - Text hygiene

    enum Cleaned: Equatable {
        case success(String)
        case failure(String)
    }

    /// An op's bullet text as one clean line, or why it cannot be used.
    static func cleanText(_ raw: String?) -> Cleaned {
        var text = oneLine(raw ?? "")
        while text.count >= 2, let first = text.first, first == "-" || first == "*" || first == "+",
              text.dropFirst().first == " " {
            text = String(text.dropFirst(2)).trimmingWhitespace()
        }
        if text.isEmpty { return .failure("empty text") }
        if text.contains("<!--") { return .failure("text contains '<!--', which would hide the rest of the profile") }
        return .success(text)
    }

    /// An op's `old`, cleaned like its text (one line, no leading marker), for matching.
    static func cleanedOld(_ raw: String?) -> String {
        if case let .success(text) = cleanText(raw) { return text }
        return oneLine(raw ?? "")
    }

    /// Whitespace runs (newlines included) become one space; control characters go.
    public static func oneLine(_ raw: String) -> String { raw.singleLine() }

    static func saneSectionName(_ raw: String) -> String? {
        if raw.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) { return nil }
        let name = oneLine(raw)
        guard !name.isEmpty, name.unicodeScalars.count <= 60, !name.contains("#"), !name.contains("<!--") else { return nil }
        return name
    }

    static func shorten(_ text: String, to limit: Int = 80) -> String { text.shortened(to: limit) }
}
