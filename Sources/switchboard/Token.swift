import ArgumentParser
import Channels
import Hub
import Store

/// `switchboard token`: prints a JWT signed with a data directory's secret.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mint a token signed with the hub's secret.")

    @Option(help: "The subject (user or service id).") var sub: String
    @Option(help: "A role: customer, agent, supervisor, admin, service (repeatable).") var role: [Role] = [.customer]
    @Option(help: "A topic pattern the token grants, e.g. chat:8f2c or chat:* (repeatable).") var topic: [String] = []
    @Option(help: "Lifetime in seconds (default 3600).") var ttl: Int = 3600
    @Option(help: "Data directory holding the secret (default ./data).") var data: String = "./data"

    func run() async throws {
        guard ttl > 0 else { throw ValidationError("--ttl must be positive") }
        let secret = try HubSecret.loadOrCreate(dataDirectory: data)
        let store = try SQLiteStore(path: data + "/switchboard.sqlite")
        let authenticator = await Authenticator(secret: secret, store: store)
        print(try await authenticator.mint(subject: sub, roles: role, topics: topic.isEmpty ? nil : topic, ttl: Double(ttl)))
    }
}

extension Role: ExpressibleByArgument {}
