import ArgumentParser
import Foundation
import Hub
import Logging

/// `switchboard serve`: runs the hub until SIGTERM or SIGINT, then drains and exits 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the hub.")

    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port; 0 takes a free one (default 8080).") var port: Int?
    @OptionGroup var hubConfiguration: HubConfigurationOptions
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func run() async throws {
        var logger = Logger(label: "switchboard")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var configuration = try hubConfiguration.load(logger: logger)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        let server = try await HubServer(configuration: configuration, logger: logger)
        let host = configuration.host
        try await server.makeServiceGroup { port in
            printLine("Switchboard listening on http://\(host):\(port)")
        }.run()
    }
}
