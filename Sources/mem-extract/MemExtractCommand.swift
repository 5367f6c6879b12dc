import ArgumentParser
import MemKit

@main
struct MemExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mem-extract")
    func run() throws {}
}
