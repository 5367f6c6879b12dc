/// Exit statuses from BSD sysexits.h, the contract every stage keeps (ARCHITECTURE.md).
/// They live in System/, the bottom layer, because every layer reports through them.
public enum ExitStatus: Int32, Sendable {
    case ok = 0
    /// Not an error of the input or the system: the command did nothing on purpose and
    /// says why (mem-history: no bullet matches, several do, a later change is in the way).
    case refused = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case cantCreate = 73
    case ioError = 74
    case tempFailure = 75
}

/// The one error type the stages throw. It carries the sentence the user sees and the
/// exit status, so the executables print it once, at the edge, and exit.
public struct MemError: Error, CustomStringConvertible, Sendable {
    public let status: ExitStatus
    public let message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
