extension BackfillEstimate {
    /// The estimate as `llm memory backfill` prints it before anything is sent.
    public var text: String {
        var out = "Backfill: what you said to llm before memory started"
        if let originTime { out += " (\(UpdatePrompt.date(originTime) ?? originTime))" }
        out += "\n"
        let rangeNote: String
        switch range {
        case .all: rangeNote = ""
        case let .since(time): rangeNote = " (logged since \(time))"
        case let .last(n): rangeNote = " (the newest \(HumanUnits.count(n)))"
        }
        if inRange == 0 {
            return out + "  nothing to read\(rangeNote): llm had logged nothing before memory started\n"
        }
        var rows: [(String, Int, String)] = [("exchanges in range", inRange, rangeNote + span)]
        if readBefore > 0 { rows.append(("read already", readBefore, " (by an earlier backfill)")) }
        if left == 0 {
            return out + table(rows) + "  nothing left to read: a backfill has read all of them\n"
        }
        rows.append(("to read now", left, ""))
        if offRecord > 0 { rows.append(("  off the record", offRecord, " (paused or LLM_MEMORY_DISABLED: never sent)")) }
        if undone > 0 { rows.append(("  undone", undone, " (taken back with llm memory undo: not learned again)")) }
        if noText > 0 { rows.append(("  no typed text", noText, " (tool results, fragment-only calls)")) }
        rows.append(("  left by the gate", gatedOut, " (nothing about you in them: read, not sent)"))
        rows.append(("  pass the gate", toSend, ""))
        out += table(rows)
        if calls == 0 {
            let local = models.first(where: { $0.model == Proposer.localModel })
            out += local.map { "  the built-in offline extractor reads \(HumanUnits.count($0.exchanges)): nothing is sent\n" }
                ?? "  nothing to send: no model call\n"
            return out
        }
        out += "  " + pad("model calls", 20) + " \(HumanUnits.count(calls)) (at most \(HumanUnits.count(budget)) characters of exchanges each)\n"
        out += "  " + pad("to send", 20) + " \(HumanUnits.count(characters)) characters, about \(HumanUnits.count(tokens)) tokens\n"
        out += "\n"
        let width = max(24, models.map(\.model.count).max() ?? 0)
        out += "  " + pad("model", width) + "  exchanges  calls  characters     tokens\n"
        for line in models {
            if line.model == Proposer.localModel {
                out += "  " + pad("local (offline, nothing sent)", width) + left(line.exchanges, 11) + "\n"
                continue
            }
            out += "  " + pad(line.model, width) + left(line.exchanges, 11) + left(line.calls, 7)
                + left(line.characters, 12) + left(line.tokens, 11) + "\n"
        }
        if let memoryModel {
            out += "  (every exchange goes to the memory model \(memoryModel), from \(memoryModelOrigin ?? "your choice"))\n"
        } else {
            out += "  (each exchange goes only to the model it was held with; --model ID sends them all to one)\n"
        }
        out += "  Estimated before the replies: a reply cut off can add a call; tokens are about 4 characters each.\n"
        return out
    }

    /// `, 2025-01-02 to 2026-12-07` — the days of the first and last exchange left.
    private var span: String {
        guard let first = UpdatePrompt.date(firstTime), let last = UpdatePrompt.date(lastTime) else { return "" }
        return first == last ? ", \(first)" : ", \(first) to \(last)"
    }

    private func table(_ rows: [(String, Int, String)]) -> String {
        let width = rows.map { HumanUnits.count($0.1).count }.max() ?? 0
        return rows.map { "  " + pad($0.0, 20) + left($0.1, width) + $0.2 + "\n" }.joined()
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    private func left(_ n: Int, _ width: Int) -> String {
        let text = HumanUnits.count(n)
        return String(repeating: " ", count: max(1, width - text.count)) + text
    }

    /// The estimate in a stable machine form (`mem-backfill estimate --json`).
    public var json: JSONValue {
        func number(_ n: Int) -> JSONValue { .number(Double(n)) }
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let rangeValue: JSONValue
        switch range {
        case .all: rangeValue = .object([("kind", .string("all"))])
        case let .since(time): rangeValue = .object([("kind", .string("since")), ("since", .string(time))])
        case let .last(n): rangeValue = .object([("kind", .string("last")), ("last", number(n))])
        }
        return .object([
            ("origin", .string(origin.description)), ("origin_time", opt(originTime)), ("range", rangeValue),
            ("in_range", number(inRange)), ("read_before", number(readBefore)), ("left", number(left)),
            ("off_record", number(offRecord)), ("undone", number(undone)), ("no_text", number(noText)),
            ("gated_out", number(gatedOut)), ("to_send", number(toSend)),
            ("first_time", opt(firstTime)), ("last_time", opt(lastTime)),
            ("memory_model", opt(memoryModel)), ("memory_model_from", opt(memoryModelOrigin)),
            ("calls", number(calls)), ("characters", number(characters)), ("tokens", number(tokens)),
            ("batch", number(batch)), ("budget", number(budget)),
            ("models", .array(models.map { line in
                .object([("model", .string(line.model)), ("exchanges", number(line.exchanges)), ("calls", number(line.calls)),
                         ("characters", number(line.characters)), ("tokens", number(line.tokens))])
            })),
        ])
    }
}
