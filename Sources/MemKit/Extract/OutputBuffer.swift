/// Collects output and writes it in large blocks: mem-extract may print 100k records.
public struct OutputBuffer: ~Copyable {
    private var pending: ByteBuffer
    private let fd: Int32
    private let threshold: Int

    public init(fd: Int32 = 1, threshold: Int = 1 << 16) {
        self.fd = fd
        self.threshold = threshold
        pending = ByteBuffer(capacity: threshold + 4096)
    }

    /// Appends one exchange record as a line, serialised straight into the buffer.
    public mutating func appendLine(_ exchange: Exchange) throws(MemError) {
        exchange.writeJSON(into: &pending)
        pending.append(0x0A)
        if pending.count >= threshold { try flush() }
    }

    public mutating func flush() throws(MemError) {
        guard !pending.isEmpty else { return }
        let ok = try pending.withBytes { StandardStreams.writeAll(fd: fd, bytes: $0) }
        pending.removeAll()
        if !ok { throw MemError(.ioError, "cannot write to standard output: \(lastErrorText())") }
    }
}
