import Foundation
@testable import Hub

/// The Python receiver, started per test; verifies every delivery with `standardwebhooks`.
///
/// Runs `Python/webhook_receiver.py` on 127.0.0.1; each delivery is recorded with the
/// indexes of the configured secrets with which the library verified it on its own.
final class WebhookReceiver: Sendable {
    let process: Process
    let port: Int
    private let output: FileHandle

    /// The delivery URL to register with the hub.
    var url: String { "http://127.0.0.1:\(port)/hook" }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the receiver (on `port`, or a free one) and waits for its `listening PORT` line.
    static func start(port: Int? = nil) async throws -> WebhookReceiver {
        let (process, port, output) = try await startPythonServer("webhook_receiver.py", port.map { ["--port", String($0)] } ?? [])
        return WebhookReceiver(process: process, port: port, output: output)
    }

    private init(process: Process, port: Int, output: FileHandle) {
        self.process = process
        self.port = port
        self.output = output
    }

    deinit { stop() }

    /// Changes the receiver's behaviour; arguments left nil keep their current value.
    /// `failFirst`: the first N attempts of each webhook-id are answered `failStatus`
    /// (default 500); `status`: the answer to every other delivery (default 200);
    /// `retryAfter`: a Retry-After header on non-2xx answers ("" removes it); `delays`:
    /// seconds to wait before answering a delivery to a path (recorded on arrival).
    func configure(
        secrets: [String]? = nil, failFirst: Int? = nil, failStatus: Int? = nil, status: Int? = nil, retryAfter: String? = nil,
        delays: [String: Double]? = nil
    ) async throws {
        struct Control: Encodable {
            var secrets: [String]?
            var failFirst: Int?
            var failStatus: Int?
            var status: Int?
            var retryAfter: String?
            var delays: [String: Double]?
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let control = Control(
            secrets: secrets, failFirst: failFirst, failStatus: failStatus, status: status, retryAfter: retryAfter, delays: delays)
        let body = String(decoding: try encoder.encode(control), as: UTF8.self)
        let result = try await http(.POST, baseURL + "/_control", body: body)
        guard result.status == 200 else { throw TestFailure("webhook receiver refused \(body): \(result.status) \(result.text)") }
    }

    /// Every delivery request received so far (failed ones included), oldest first.
    func received() async throws -> [Delivery] {
        let result = try await http(.GET, baseURL + "/_received")
        guard result.status == 200 else { throw TestFailure("/_received answered \(result.status)") }
        return try JSONDecoder().decode([Delivery].self, from: Data(result.text.utf8))
    }

    /// Forgets the deliveries received so far and the attempt counts.
    func reset() async throws {
        _ = try await http(.POST, baseURL + "/_reset", body: "{}")
    }

    /// Polls /_received (every 50 ms) until `condition` holds or `seconds` pass, then returns the deliveries.
    func waitFor(within seconds: Double = 30, _ condition: @Sendable ([Delivery]) -> Bool) async throws -> [Delivery] {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while true {
            let deliveries = try await received()
            if condition(deliveries) || ContinuousClock.now >= deadline { return deliveries }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Kills the process at once; requests it was holding fail on the hub's side.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// One delivery request as the receiver recorded it.
    struct Delivery: Decodable, Sendable {
        /// The `webhook-id` header ("" when missing).
        let id: String
        /// The `webhook-timestamp` header (0 when missing).
        let timestamp: Int64
        /// The `webhook-signature` header ("" when missing).
        let signature: String
        /// Indexes of the configured secrets with which `standardwebhooks` verified it.
        let verified: [Int]
        /// The status the receiver answered.
        let status: Int
        let path: String
        /// The parsed JSON body; nil when it was not JSON.
        let body: JSONValue?
        /// `body["type"]`, `body["data"]["topic"]` and `body["data"]["offset"]`, when present.
        let type: String?
        let topic: String?
        let offset: Int64?
        /// 1-based count of requests with this webhook-id so far (this one included).
        let attempt: Int
    }
}
