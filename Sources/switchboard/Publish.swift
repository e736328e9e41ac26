import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// `switchboard publish TOPIC NAME JSON`: publishes through the REST side door and prints
/// the committed position.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Publish an event to a topic of a running hub.")

    @OptionGroup var hub: HubConnectionOptions
    @Argument(help: "The topic, e.g. chat:8f2c.") var topic: String
    @Argument(help: "The event name, e.g. message.created.") var name: String
    @Argument(help: "The event data as JSON.") var json: String = "null"
    @Option(help: "An idempotency key.") var key: String?

    func run() async throws {
        guard (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)) != nil else {
            throw ValidationError("the data is not valid JSON")
        }
        let path = topic.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? topic
        var request = HTTPClientRequest(url: hub.baseURL + "/api/v1/topics/\(path)/events")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer " + (try hub.bearer()))
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key { request.headers.add(name: "Idempotency-Key", value: key) }
        let name = String(data: try JSONEncoder().encode(self.name), encoding: .utf8)!
        request.body = .bytes(ByteBuffer(string: "{\"name\":\(name),\"data\":\(json)}"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        print(body)
        guard (200..<300).contains(Int(response.status.code)) else { throw ExitCode(1) }
    }
}
