/// The edge every executable shares: run the stage, print a `MemError` once as
/// `tool: message` on stderr, and hand back the sysexits status to exit with.
public enum Stage {
    public static func run(_ tool: String, _ body: () throws(MemError) -> Void) -> Int32 {
        do {
            try body()
            return ExitStatus.ok.rawValue
        } catch {
            StandardStreams.report(tool, error.message)
            return error.status.rawValue
        }
    }
}

/// Collects output and writes it in large blocks: mem-extract may print 100k records.
public struct OutputBuffer {
    private var pending: [UInt8] = []
    private let fd: Int32
    private let threshold: Int

    public init(fd: Int32 = 1, threshold: Int = 1 << 16) {
        self.fd = fd
        self.threshold = threshold
        pending.reserveCapacity(threshold + 4096)
    }

    public mutating func appendLine(_ text: String) throws(MemError) {
        pending.append(contentsOf: text.utf8)
        pending.append(0x0A)
        if pending.count >= threshold { try flush() }
    }

    /// Appends one JSON value as a line, serialised straight into the buffer.
    public mutating func appendLine(_ value: JSONValue) throws(MemError) {
        value.write(into: &pending)
        pending.append(0x0A)
        if pending.count >= threshold { try flush() }
    }

    public mutating func flush() throws(MemError) {
        guard !pending.isEmpty else { return }
        let ok = pending.withUnsafeBytes { StandardStreams.writeAll(fd: fd, bytes: $0) }
        pending.removeAll(keepingCapacity: true)
        if !ok { throw MemError(.ioError, "cannot write to standard output: \(lastErrorText())") }
    }
}
