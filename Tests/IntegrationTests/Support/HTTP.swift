import AsyncHTTPClient
import Foundation
@testable import Hub
import NIOCore
import NIOHTTP1

/// A response as tests look at it.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var text: String
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
    var errorCode: JSONValue? { json?["error"]?["code"] }
}

/// Sends one HTTP request to a test hub with a real client.
func http(
    _ method: HTTPMethod, _ url: String, token: String? = nil, body: String? = nil, bodyBytes: [UInt8]? = nil,
    headers: [(String, String)] = []
) async throws -> HTTPResult {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
    if let bytes = bodyBytes ?? body.map({ Array($0.utf8) }) {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: bytes))
    }
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let text = String(buffer: try await response.body.collect(upTo: 64 << 20))
    return HTTPResult(status: Int(response.status.code), headers: response.headers, text: text)
}

extension JSONValue {
    var int: Int64? { if case .integer(let value) = self { value } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
    var array: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
}

extension SocketClient {
    /// Subscribes and returns the reply's result.
    func subscribe(_ id: Int, _ topic: String, since: (offset: Int64, epoch: String)? = nil) async throws -> JSONValue {
        let sinceJSON = since.map { ",\"since\":{\"offset\":\($0.offset),\"epoch\":\"\($0.epoch)\"}" } ?? ""
        let reply = try await request(id, "{\"op\":\"subscribe\",\"id\":\(id),\"topic\":\"\(topic)\"\(sinceJSON)}")
        guard reply["ok"] == .bool(true), let result = reply["result"] else { throw TestFailure("subscribe failed: \(reply.text)") }
        return result
    }

    /// Publishes and returns the committed offset.
    func publish(_ id: Int, _ topic: String, name: String = "tick", data: String = "{}", key: String? = nil) async throws -> JSONValue {
        let keyJSON = key.map { ",\"key\":\"\($0)\"" } ?? ""
        return try await request(id, "{\"op\":\"publish\",\"id\":\(id),\"topic\":\"\(topic)\",\"name\":\"\(name)\",\"data\":\(data)\(keyJSON)}")
    }

    /// The next `count` event frames.
    func events(_ count: Int, within seconds: Double = 20) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        while events.count < count {
            events.append(try await next(within: seconds) { $0["type"] == .string("event") })
        }
        return events
    }
}
