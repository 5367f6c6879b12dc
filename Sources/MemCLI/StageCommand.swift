import ArgumentParser
import MemKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mem-* tool: a `ParsableCommand` whose every failure ends the same way — one line on
/// stderr and, with `--error-file`, that line in the file (contract C5). A failure of
/// its run comes out of `Stage.run` (through `StageOptions.run`); arguments it cannot
/// parse (a bad `--limit`, a cursor that is not one) are written here, since the
/// porcelain passes values that come from settings and files.
public protocol StageCommand: ParsableCommand {}

extension StageCommand {
    public static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if !(error is ExitCode), exitCode(for: error) != .success, let path = StageOptions.errorFile(in: arguments) {
                let text = message(for: error)
                Stage.writeErrorFile(path, String(text.prefix { $0 != "\n" }))
            }
            exit(withError: error)
        }
    }
}

/// The options every mem-* tool takes, and the edge its `run()` goes through.
public struct StageOptions: ParsableArguments {
    @Option(name: .customLong("error-file"),
            help: ArgumentHelp("When the tool fails, also write its one-line error message to this file (opened, not replaced: it may be a pipe).",
                               valueName: "path"))
    public var errorFile: String?

    public init() {}

    /// Runs `body` through `Stage.run` (a `MemError` printed once, and written to
    /// --error-file) and exits with its status when that is not 0.
    public func run(_ tool: String, _ body: () throws(MemError) -> Void) throws {
        let status = Stage.run(tool, errorFile: errorFile, body)
        if status != 0 { throw ExitCode(status) }
    }

    /// The --error-file argument among raw arguments (for errors met before they are parsed).
    static func errorFile(in arguments: [String]) -> String? {
        var found: String?
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" { break }
            if argument == "--error-file", index + 1 < arguments.endIndex {
                found = arguments[index + 1]
                index += 1
            } else if argument.hasPrefix("--error-file=") {
                found = String(argument.dropFirst("--error-file=".count))
            }
            index += 1
        }
        return found
    }
}

/// `--profile PATH`, for the tools that read or write the profile.
public struct ProfileOption: ParsableArguments {
    @Option(name: .customLong("profile"),
            help: ArgumentHelp("The profile (default: profile.md in the memory dir: $LLM_MEMORY_DIR, else <llm user dir>/memory).",
                               valueName: "path"))
    public var path: String?

    public init() {}

    /// The path given, else the memory dir's profile.md.
    public var resolved: String { path ?? MemoryLocation.fromEnvironment().profile }
}

/// A cursor is an option's value (`mem-extract --after r12.t34`); an empty one means the start.
extension Cursor: ExpressibleByArgument {
    public init?(argument: String) {
        guard let cursor = try? Cursor(token: argument) else { return nil }
        self = cursor
    }

    public var defaultValueDescription: String { "the start" }
}
