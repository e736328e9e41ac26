import ArgumentParser
import Foundation

/// The `switchboard` command: run the hub, mint credentials, publish and tail topics.
@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Switchboard, a real-time messaging hub.",
        subcommands: [Serve.self, Token.self, Keys.self, Publish.self, Tail.self])
}

/// Options shared by commands that talk to a running hub.
struct HubConnectionOptions: ParsableArguments {
    @Option(help: "The hub's base URL (default: $SWITCHBOARD_URL or http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "A token or sk_ API key (default: $SWITCHBOARD_TOKEN).")
    var token: String?

    var baseURL: String {
        var base = url ?? environment("SWITCHBOARD_URL") ?? "http://127.0.0.1:8080"
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    func bearer() throws -> String {
        guard let token = token ?? environment("SWITCHBOARD_TOKEN") else {
            throw ValidationError("pass --token or set SWITCHBOARD_TOKEN (mint one with `switchboard token`)")
        }
        return token
    }
}

/// Writes a line to standard output unbuffered, so pipes see it at once.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func environment(_ name: String) -> String? {
    ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
