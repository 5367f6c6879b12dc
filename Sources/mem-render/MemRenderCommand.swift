import ArgumentParser
import MemKit

@main
struct MemRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mem-render")
    func run() throws {}
}
