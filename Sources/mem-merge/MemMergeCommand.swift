import ArgumentParser
import MemKit

@main
struct MemMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mem-merge")
    func run() throws {}
}
