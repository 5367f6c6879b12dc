/// One logged model call as mem-extract prints it (one JSON Lines record).
public struct Exchange: Equatable, Sendable {
    /// Why an exchange is kept off the record. Such an exchange is printed (its cursor
    /// must be passed like any other's) but carries no text: `prompt`, `system` and
    /// `response` are null, `fragments` empty. mem-propose counts it as read and has
    /// nothing to send: a null prompt is never gated in, batched or read by the local
    /// extractor.
    public enum Skip: String, Sendable {
        /// Made with `LLM_MEMORY_DISABLED=true` (the `OffRecordMarker` fragment), or a later
        /// exchange of a conversation that was.
        case disabled
        /// Made while memory was paused (`llm memory pause` … `resume`), or a later
        /// exchange of a conversation that was.
        case paused
    }

    public struct Fragment: Equatable, Sendable {
        public enum Kind: String, Sendable { case prompt, system }
        public var kind: Kind
        public var source: String

        public init(kind: Kind, source: String) {
            self.kind = kind
            self.source = source
        }
    }

    public var id: String
    public var conversation: String?
    public var model: String?
    public var datetime: String?
    /// What the user typed; nil for a tool-result follow-up and for an exchange off the
    /// record (`skip`): nil is what tells mem-propose there is nothing to send.
    public var prompt: String?
    public var system: String?
    public var fragments: [Fragment]
    public var response: String
    public var cursor: String
    /// Set when the exchange is off the record; then no text is kept (`keepOffRecord`).
    public private(set) var skip: Skip?

    public init(id: String, conversation: String?, model: String?, datetime: String?, prompt: String?,
                system: String?, fragments: [Fragment], response: String, cursor: String, skip: Skip? = nil) {
        self.id = id
        self.conversation = conversation
        self.model = model
        self.datetime = datetime
        self.prompt = prompt
        self.system = system
        self.fragments = fragments
        self.response = response
        self.cursor = cursor
        if let skip { keepOffRecord(skip) }
    }

    /// Marks the exchange off the record and drops everything it said; the first reason
    /// given stays.
    public mutating func keepOffRecord(_ reason: Skip) {
        if skip == nil { skip = reason }
        prompt = nil
        system = nil
        response = ""
        fragments = []
    }

    public var json: JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([
            ("id", .string(id)),
            ("conversation", opt(conversation)),
            ("model", opt(model)),
            ("datetime", opt(datetime)),
            ("prompt", opt(prompt)),
            ("system", opt(system)),
            ("fragments", .array(fragments.map {
                .object([("kind", .string($0.kind.rawValue)), ("source", .string($0.source))])
            })),
            ("response", skip == nil ? .string(response) : .null),
            ("cursor", .string(cursor)),
        ] + (skip.map { [("skip", JSONValue.string($0.rawValue))] } ?? []))
    }

    /// The `json` record, byte for byte, written straight into `out` without building
    /// the value first: a full read writes 100k of them.
    public func writeJSON(into out: inout ByteBuffer) {
        out.append("{\"id\":")
        out.appendJSONString(id)
        out.append(",\"conversation\":")
        out.appendJSONString(conversation)
        out.append(",\"model\":")
        out.appendJSONString(model)
        out.append(",\"datetime\":")
        out.appendJSONString(datetime)
        out.append(",\"prompt\":")
        out.appendJSONString(prompt)
        out.append(",\"system\":")
        out.appendJSONString(system)
        out.append(",\"fragments\":[")
        for (i, fragment) in fragments.enumerated() {
            out.append(i == 0 ? "{\"kind\":" : ",{\"kind\":")
            out.appendJSONString(fragment.kind.rawValue)
            out.append(",\"source\":")
            out.appendJSONString(fragment.source)
            out.append("}")
        }
        out.append("],\"response\":")
        out.appendJSONString(skip == nil ? response : nil)
        out.append(",\"cursor\":")
        out.appendJSONString(cursor)
        if let skip {
            out.append(",\"skip\":")
            out.appendJSONString(skip.rawValue)
        }
        out.append("}")
    }

    public init(json: JSONValue) throws(MemError) {
        guard let id = json["id"]?.stringValue, let cursor = json["cursor"]?.stringValue else {
            throw MemError(.dataError, "exchange record needs \"id\" and \"cursor\"")
        }
        let fragments: [Fragment] = (json["fragments"]?.arrayValue ?? []).compactMap { value in
            guard let kind = value["kind"]?.stringValue.flatMap(Fragment.Kind.init(rawValue:)),
                  let source = value["source"]?.stringValue else { return nil }
            return Fragment(kind: kind, source: source)
        }
        // A record marked off the record gives mem-propose no text, whatever else it
        // carries (one written by hand, or by another tool); an unknown reason is refused
        // rather than read as "not skipped".
        var skip: Skip?
        if let value = json["skip"], value != .null {
            guard let reason = value.stringValue.flatMap(Skip.init(rawValue:)) else {
                throw MemError(.dataError, "\"skip\" must be \"disabled\" or \"paused\"")
            }
            skip = reason
        }
        self.init(
            id: id,
            conversation: json["conversation"]?.stringValue,
            model: json["model"]?.stringValue,
            datetime: json["datetime"]?.stringValue,
            prompt: json["prompt"]?.stringValue,
            system: json["system"]?.stringValue,
            fragments: fragments,
            response: json["response"]?.stringValue ?? "",
            cursor: cursor,
            skip: skip)
    }

    /// Reads exchanges as JSON Lines. Blank lines are skipped; a malformed line is a
    /// data error naming its line number.
    public static func readLines(_ bytes: [UInt8]) throws(MemError) -> [Exchange] {
        var exchanges: [Exchange] = []
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            let line = Array(bytes[start..<end])
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(line)
            } catch {
                throw MemError(.dataError, "exchanges line \(lineNumber) is not valid JSON: \(error.message)")
            }
            do {
                exchanges.append(try Exchange(json: value))
            } catch {
                throw MemError(.dataError, "exchanges line \(lineNumber): \(error.message)")
            }
        }
        return exchanges
    }
}
