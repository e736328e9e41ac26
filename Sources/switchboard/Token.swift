import ArgumentParser
import Hub

/// `switchboard token`: prints a JWT signed with a data directory's secret.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mint a token signed with the hub's secret.")

    @Option(help: "The subject (user or service id).") var sub: String
    @Option(help: "A role: customer, agent, supervisor, admin, service (repeatable).") var role: [Role] = [.customer]
    @Option(help: "A topic pattern the token grants, e.g. chat:8f2c or chat:* (repeatable).") var topic: [String] = []
    @Option(help: "A support queue an agent works (repeatable; none: every queue).") var queue: [String] = []
    @Option(help: "Lifetime in seconds (default 3600).") var ttl: Int = 3600
    @Option(help: "Data directory holding the secret (default ./data).") var data: String = "./data"

    func run() async throws {
        guard ttl > 0 else { throw ValidationError("--ttl must be positive") }
        printLine(try await Credentials.token(
            dataDirectory: data, subject: sub, roles: role, topics: topic.isEmpty ? nil : topic,
            queues: queue.isEmpty ? nil : queue, ttl: Double(ttl)))
    }
}

extension Role: ExpressibleByArgument {}
