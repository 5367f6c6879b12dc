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
