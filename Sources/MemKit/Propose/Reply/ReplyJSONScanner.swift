/// Finding the JSON in a model's reply: the first delta-like value, or the loose op
/// objects it holds, parsed leniently so a reply cut off mid-way still yields its
/// complete ops (see `ReplyParser`).
extension ReplyParser {
    struct Found {
        var items: [JSONValue]
        var truncated: Bool
        var lastIsPartial: Bool
        /// The text ended with the ops still open (the array, or a loose op cut off):
        /// more ops may have followed.
        var open: Bool
    }

    static let containerDepthLimit = 3
    /// Parse attempts and bytes parsed per text before giving up (a bound on the work a
    /// hostile reply can cause).
    static let maxAttempts = 20_000
    static let maxWork = 4 << 20

    /// The first delta-like value in `bytes`, or the loose op objects it holds.
    static func findOps(in bytes: [UInt8]) -> Found? {
        var looseOps: [JSONValue] = []
        var looseTruncated = false
        var looseLastPartial = false
        var position = 0
        var attempts = 0
        var work = 0
        while position < bytes.count, attempts < maxAttempts, work < maxWork {
            let b = bytes[position]
            guard b == UInt8(ascii: "{") || b == UInt8(ascii: "[") else { position += 1; continue }
            attempts += 1
            var parser = JSONParser(bytes: bytes, start: position, mode: .lenient)
            guard let value = try? parser.parseValue() else {
                work += max(1, parser.position - position)
                position += 1
                continue
            }
            work += max(1, parser.position - position)
            if let path = containerPath(value, depth: 0), case let .array(items)? = element(value, at: path) {
                var lastPartial = false
                var open = false
                if parser.truncated {
                    let depth = openDepth(bytes, from: position)
                    lastPartial = !items.isEmpty && isOpen(path: path + [items.count - 1], in: value, openDepth: depth)
                    open = isOpen(path: path, in: value, openDepth: depth)
                }
                return Found(items: items, truncated: parser.truncated, lastIsPartial: lastPartial, open: open)
            }
            if isOp(value) {
                looseOps.append(value)
                if parser.truncated {
                    looseTruncated = true
                    looseLastPartial = openDepth(bytes, from: position) >= 1
                }
            }
            // Skip the whole value: it was not a delta, and its strings hold no JSON.
            position = max(parser.position, position + 1)
        }
        if !looseOps.isEmpty {
            return Found(items: looseOps, truncated: looseTruncated, lastIsPartial: looseLastPartial, open: looseLastPartial)
        }
        return nil
    }

    private static func isOp(_ value: JSONValue) -> Bool {
        guard case let .object(pairs) = value else { return false }
        return pairs.contains { kindKeys.contains($0.0.lowercased()) && $0.1.stringValue != nil }
    }

    /// The path (child indices) to the array of ops inside `value`, if it is delta-like.
    private static func containerPath(_ value: JSONValue, depth: Int) -> [Int]? {
        switch value {
        case let .array(items):
            if items.isEmpty || items.contains(where: { if case .object = $0 { return true } else { return false } }) {
                return []
            }
            return nil
        case let .object(pairs):
            guard depth < containerDepthLimit else { return nil }
            for key in containerKeys {
                guard let index = pairs.firstIndex(where: { $0.0.lowercased() == key }) else { continue }
                let child = pairs[index].1
                if case .array = child, let rest = containerPath(child, depth: depth + 1) { return [index] + rest }
                if case .object = child, let rest = containerPath(child, depth: depth + 1) { return [index] + rest }
            }
            // A wrapper such as `{"result": {"ops": […]}}`.
            for (index, pair) in pairs.enumerated() {
                if case .object = pair.1, let rest = containerPath(pair.1, depth: depth + 1) { return [index] + rest }
            }
            return nil
        default:
            return nil
        }
    }

    private static func element(_ value: JSONValue, at path: [Int]) -> JSONValue? {
        var current = value
        for index in path {
            switch current {
            case let .array(items) where index < items.count: current = items[index]
            case let .object(pairs) where index < pairs.count: current = pairs[index].1
            default: return nil
            }
        }
        return current
    }

    /// Whether the container at `path` was still open when a truncated text ended. The
    /// open containers are the first `openDepth` ones on the path of last children.
    private static func isOpen(path: [Int], in value: JSONValue, openDepth: Int) -> Bool {
        guard path.count + 1 <= openDepth else { return false }
        var current = value
        for index in path {
            switch current {
            case let .array(items):
                guard index == items.count - 1 else { return false }
                current = items[index]
            case let .object(pairs):
                guard index == pairs.count - 1 else { return false }
                current = pairs[index].1
            default:
                return false
            }
        }
        switch current {
        case .array, .object: return true
        default: return false
        }
    }

    /// Whether `bytes` end inside a JSON object or array: scanning from the first `{` or
    /// `[` to the end (strings skipped), some bracket is still open. A reply that is
    /// no delta but stops like this may have been cut off before its answer.
    static func endsInsideJSON(_ bytes: [UInt8]) -> Bool {
        guard let start = bytes.firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }) else { return false }
        var depth = 0
        var inString = false
        var escaped = false
        for b in bytes[start...] {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth = max(0, depth - 1)
            default: break
            }
        }
        return depth > 0
    }

    /// How many containers are open at the end of `bytes`, scanning JSON from `start`.
    static func openDepth(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0
        var inString = false
        var escaped = false
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else {
                switch b {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return 0 }
                default: break
                }
            }
            i += 1
        }
        return depth
    }
}
