import ArgumentParser
import Hub
import Logging

/// `switchboard token`: prints a JWT signed with the secret of the hub's data directory,
/// found as `serve` finds it (`--data`, `SWITCHBOARD_DATA`, `--config`, `./data`).
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mint a token signed with the hub's secret.")

    @Option(help: "The subject (user or service id).") var sub: String
    @Option(help: "A role: customer, agent, supervisor, admin, service (repeatable).") var role: [Role] = [.customer]
    @Option(help: "A topic pattern the token grants, e.g. chat:8f2c or chat:* (repeatable).") var topic: [String] = []
    @Option(help: "A support queue an agent works (repeatable; none: every queue).") var queue: [String] = []
    @Option(help: "Lifetime in seconds.") var ttl: Int = 3600
    @OptionGroup var hubConfiguration: HubConfigurationOptions

    func run() async throws {
        guard ttl > 0 else { throw ValidationError("--ttl must be positive") }
        let configuration = try hubConfiguration.load(logger: Logger(label: "switchboard"))
        printLine(try await Credentials.token(
            dataDirectory: configuration.dataDirectory, subject: sub, roles: role, topics: topic.isEmpty ? nil : topic,
            queues: queue.isEmpty ? nil : queue, ttl: Double(ttl)))
    }
}

extension Role: ExpressibleByArgument {}
