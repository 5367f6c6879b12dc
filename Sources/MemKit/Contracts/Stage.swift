#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The edge every executable shares: run the stage, print a `MemError` once as
/// `tool: message` on stderr, and hand back the sysexits status to exit with.
public enum Stage {
    /// With `errorFile`, a failure's message is also written there, as one line: the
    /// porcelain learns why a stage failed from it instead of reading the tool's report
    /// (contract C5). The tool says what it knows (a full disk is "No space left on
    /// device", from errno), so the porcelain guesses nothing.
    public static func run(_ tool: String, errorFile: String? = nil, _ body: () throws(MemError) -> Void) -> Int32 {
        do {
            try body()
            return ExitStatus.ok.rawValue
        } catch {
            StandardStreams.report(tool, error.message)
            if let errorFile { writeErrorFile(errorFile, error.message) }
            return error.status.rawValue
        }
    }

    /// Writes `message` as one line (line breaks become spaces) to `path`, best effort: the
    /// message is on stderr anyway. The file is opened, not replaced, so it may be a pipe
    /// (the porcelain passes /dev/fd/3); a new file is 0600.
    public static func writeErrorFile(_ path: String, _ message: String) {
        let line = String(message.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 }) + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        StandardStreams.writeAll(fd: fd, line)
        close(fd)
    }
}
