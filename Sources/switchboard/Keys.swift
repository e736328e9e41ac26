import ArgumentParser
import Hub

/// `switchboard keys create`: makes an `sk_` API key; only its hash is stored.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print it once.")

        @Option(help: "The key's role (e.g. service).") var role: Role
        @Option(help: "Data directory (default ./data).") var data: String = "./data"

        func run() async throws {
            printLine(try await Credentials.apiKey(dataDirectory: data, role: role))
        }
    }
}
