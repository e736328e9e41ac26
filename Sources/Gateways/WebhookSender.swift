import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Store

/// Makes one attempt at one message: checks the address again, signs, POSTs, and decides
/// what becomes of the message and its endpoint.
struct WebhookSender: Sendable {
    let client: HTTPClient
    let targets: DeliveryTargets
    let settings: WebhookSettings

    /// Attempts `delivery` now. Never throws: every failure is an outcome.
    func attempt(_ delivery: WebhookDelivery) async -> WebhookAttemptOutcome {
        let started = ContinuousClock.now
        let startedAt = WebhookEndpoints.nowMilliseconds()
        let answer = await send(delivery, at: startedAt)
        let attempt = WebhookAttemptRecord(
            messageID: delivery.message.id, endpointID: delivery.endpoint.id, attemptedMilliseconds: startedAt,
            statusCode: answer.status, durationMilliseconds: (ContinuousClock.now - started).milliseconds,
            error: answer.error, succeeded: answer.status.map { (200..<300).contains($0) } ?? false)
        return decide(attempt, answer: answer, delivery: delivery, now: startedAt)
    }

    /// What the endpoint answered, or why it did not.
    struct Answer {
        var status: Int?
        var retryAfter: String?
        var error: String?
    }

    private func send(_ delivery: WebhookDelivery, at now: Int64) async -> Answer {
        let endpoint = delivery.endpoint
        let target: DeliveryTarget
        do {
            target = try targets.target(for: endpoint)
            _ = try await settings.addressPolicy.check(host: target.host)
        } catch {
            return Answer(error: error.message)
        }
        let body = Array(delivery.message.body.utf8)
        let timestamp = now / 1000
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "Switchboard-Webhooks/1")
        request.headers.add(name: "webhook-id", value: delivery.message.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: WebhookSigner.header(
                id: delivery.message.id, timestamp: timestamp, body: body, keys: target.keys(nowMilliseconds: now)))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: TimeAmount(settings.timeout))
            // Read a little of the body (so the connection can be reused) and drop the rest.
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read >= settings.maxResponseBytes { break }
            }
            let status = Int(response.status.code)
            return Answer(
                status: status, retryAfter: response.headers.first(name: "retry-after"),
                error: (200..<300).contains(status) ? nil : "HTTP \(status)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return Answer(error: "timed out")
        } catch {
            return Answer(error: "request failed: \(Self.describe(error))")
        }
    }

    private func decide(_ attempt: WebhookAttemptRecord, answer: Answer, delivery: WebhookDelivery, now: Int64) -> WebhookAttemptOutcome {
        func outcome(_ next: WebhookAttemptOutcome.Next, _ endpoint: WebhookAttemptOutcome.EndpointChange) -> WebhookAttemptOutcome {
            WebhookAttemptOutcome(attempt: attempt, of: delivery, next: next, endpoint: endpoint)
        }
        if attempt.succeeded { return outcome(.delivered, .healthy) }
        if answer.status == 410 { return outcome(.failed, .disable(reason: "the endpoint answered 410 Gone")) }
        let failed = delivery.message.attempts + 1
        var delay = settings.retrySchedule.delay(afterFailedAttempts: failed)
        if delay != nil, [429, 503].contains(answer.status), let header = answer.retryAfter,
           let asked = RetryAfter.delay(header, now: Date(timeIntervalSince1970: Double(now) / 1000)) {
            delay = min(asked, .seconds(24 * 3600))
        }
        let next: WebhookAttemptOutcome.Next = delay.map { .retry(atMilliseconds: now + $0.milliseconds) } ?? .failed
        let failingSince = delivery.endpoint.failingSinceMilliseconds ?? now
        if now - failingSince >= settings.disableAfter.milliseconds {
            let days = Double(settings.disableAfter.milliseconds) / 86_400_000
            let reason = "every attempt failed for \(days.formatted(.number.precision(.fractionLength(0...2)))) days"
            return outcome(next, .disable(reason: reason))
        }
        return outcome(next, .failing)
    }

    /// A short cause without internals beyond what the operator needs.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        if let error = error as? ChannelError { return "\(error)" }
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) : text
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
