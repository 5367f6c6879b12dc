import ArgumentParser
import MemKit

@main
struct MemProposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mem-propose")
    func run() throws {}
}
