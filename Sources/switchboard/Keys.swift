import ArgumentParser
import Hub
import Logging

/// `switchboard keys create`: makes an `sk_` API key in the hub's data directory, found as
/// `serve` finds it; only the key's hash is stored.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print it once.")

        @Option(help: "The key's role (e.g. service).") var role: Role
        @OptionGroup var hubConfiguration: HubConfigurationOptions

        func run() async throws {
            let configuration = try hubConfiguration.load(logger: Logger(label: "switchboard"))
            printLine(try await Credentials.apiKey(dataDirectory: configuration.dataDirectory, role: role))
        }
    }
}
