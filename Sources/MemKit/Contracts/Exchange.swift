/// One logged model call as mem-extract prints it (one JSON Lines record).
public struct Exchange: Equatable, Sendable {
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
    /// What the user typed; nil for a tool-result follow-up.
    public var prompt: String?
    public var system: String?
    public var fragments: [Fragment]
    public var response: String
    public var cursor: String

    public init(id: String, conversation: String?, model: String?, datetime: String?, prompt: String?,
                system: String?, fragments: [Fragment], response: String, cursor: String) {
        self.id = id
        self.conversation = conversation
        self.model = model
        self.datetime = datetime
        self.prompt = prompt
        self.system = system
        self.fragments = fragments
        self.response = response
        self.cursor = cursor
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
            ("response", .string(response)),
            ("cursor", .string(cursor)),
        ])
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
        out.appendJSONString(response)
        out.append(",\"cursor\":")
        out.appendJSONString(cursor)
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
        self.init(
            id: id,
            conversation: json["conversation"]?.stringValue,
            model: json["model"]?.stringValue,
            datetime: json["datetime"]?.stringValue,
            prompt: json["prompt"]?.stringValue,
            system: json["system"]?.stringValue,
            fragments: fragments,
            response: json["response"]?.stringValue ?? "",
            cursor: cursor)
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
