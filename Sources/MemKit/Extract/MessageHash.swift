import CSQLite

/// A message hash held inline. llm's are 35 ASCII bytes (`b2:` and 32 hex digits) and a
/// full read meets about seven of them per exchange; as `String`s each was a heap
/// allocation and a SipHash over every byte. Any text up to 40 bytes fits; a longer one
/// (a format llm does not use today) is kept as a `String`, so nothing depends on it.
struct MessageHash: Hashable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    private var length = 0
    private var long: String?

    private static let inlineCapacity = 40

    init(_ text: String) {
        var text = text
        self = text.withUTF8 { MessageHash(bytes: $0) }
    }

    init(bytes: UnsafeBufferPointer<UInt8>) {
        length = bytes.count
        if bytes.count > MessageHash.inlineCapacity {
            long = String(decoding: bytes, as: UTF8.self)
        } else if let base = bytes.baseAddress {
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base, count: bytes.count)) }
        }
    }

    /// The text, for binding to a look-up by hash.
    var description: String {
        if let long { return long }
        var copy = words
        return withUnsafeBytes(of: &copy) { String(decoding: $0.prefix(length), as: UTF8.self) }
    }

    static func == (a: MessageHash, b: MessageHash) -> Bool {
        a.length == b.length && a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
            && a.words.3 == b.words.3 && a.words.4 == b.words.4 && a.long == b.long
    }

    /// The digest's own bits are spread well already: fold the words rather than hash
    /// every byte.
    func hash(into hasher: inout Hasher) {
        if let long {
            hasher.combine(long)
        } else {
            hasher.combine(words.0 ^ words.1 ^ words.2 ^ words.3 ^ words.4 ^ UInt64(length))
        }
    }
}

extension Statement.Row {
    /// A column holding a message hash, read without building a `String`; nil for NULL.
    func hash(_ column: Int32) -> MessageHash? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return MessageHash(bytes: UnsafeBufferPointer(start: bytes, count: count))
    }
}
