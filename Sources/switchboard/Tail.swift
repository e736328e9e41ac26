import ArgumentParser
import Foundation
import HummingbirdWSClient
import Logging

/// `switchboard tail TOPIC`: subscribes over WebSocket and prints each frame as it arrives.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a topic's events live.")

    @OptionGroup var hub: HubConnectionOptions
    @Argument(help: "The topic, e.g. chat:8f2c.") var topic: String
    @Option(help: "Recover events after this offset first.") var since: Int?
    @Option(help: "The epoch of --since; needed to recover unless --since is 0.") var epoch: String = ""

    func run() async throws {
        let url = hub.baseURL.replacingOccurrences(of: "http", with: "ws", options: .anchored) + "/v1/ws"
        let token = try hub.bearer()
        let topicJSON = String(data: try JSONEncoder().encode(topic), encoding: .utf8)!
        let epochJSON = String(data: try JSONEncoder().encode(epoch), encoding: .utf8)!
        let sinceJSON = since.map { ",\"since\":{\"offset\":\($0),\"epoch\":\(epochJSON)}" } ?? ""
        var logger = Logger(label: "switchboard.tail")
        logger.logLevel = .warning
        let closeFrame = try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: 64 << 20, additionalHeaders: [.authorization: "Bearer " + token]), logger: logger
        ) { inbound, outbound, _ in
            try await outbound.write(.text("{\"op\":\"subscribe\",\"id\":1,\"topic\":\(topicJSON)\(sinceJSON)}"))
            for try await message in inbound.messages(maxSize: 64 << 20) {
                guard case .text(let text) = message else { continue }
                printLine(text)
            }
        }
        if let closeFrame, closeFrame.closeCode != .normalClosure {
            FileHandle.standardError.write(Data("closed: \(closeFrame.closeCode) \(closeFrame.reason ?? "")\n".utf8))
            throw ExitCode(1)
        }
    }
}
