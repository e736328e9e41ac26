import Foundation

/// One notification's deliveries as `GET /api/v1/notifications/{id}` reports them.
struct NotificationStatus: Sendable {
    /// Deliveries by status: `queued`, `sent`, `failed`, `skipped`.
    var byStatus: [String: Int] = [:]
    /// When the last provider call ended, in milliseconds since 1970 (the hub's attempt
    /// records: start plus duration), or nil when no call was recorded.
    var lastCallEnd: Int64?
    /// The first reason a delivery gave for not being sent (`no_address`, an SMTP reply).
    var reason: String?

    /// Deliveries still to be sent (or retried).
    var queued: Int { byStatus["queued", default: 0] }

    /// Reads the notification `id`'s deliveries over `connection`.
    static func fetch(_ connection: HubHTTPConnection, id: String) async throws -> NotificationStatus {
        let response = try await connection.request(.GET, "/api/v1/notifications/\(id)")
        guard response.status == 200, let deliveries = response.object?["deliveries"] as? [[String: Any]] else {
            throw HubRESTError.unexpected(status: response.status, body: response.body)
        }
        var status = NotificationStatus()
        let timestamps = ISO8601DateFormatter()
        timestamps.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for delivery in deliveries {
            status.byStatus[delivery["status"] as? String ?? "?", default: 0] += 1
            if status.reason == nil, let reason = delivery["reason"] as? String { status.reason = reason }
            for call in delivery["provider_calls"] as? [[String: Any]] ?? [] {
                guard let started = (call["started_at"] as? String).flatMap(timestamps.date(from:)) else { continue }
                let end = Int64((started.timeIntervalSince1970 * 1000).rounded()) + ((call["duration_ms"] as? NSNumber)?.int64Value ?? 0)
                status.lastCallEnd = max(status.lastCallEnd ?? end, end)
            }
        }
        return status
    }

    /// Polls the notifications `ids` until none has a queued delivery, or until `deadline`
    /// (``Monotonic``): one request per `interval`, for the first notification still queued
    /// (the dispatcher works through them in order, so that is all the polling the hub sees).
    /// Returns every notification's last status and when the last one was seen settled, or
    /// nil on timeout.
    static func waitUntilSettled(
        _ hub: HubOptions, ids: [String], interval: Duration, deadline: UInt64
    ) async throws -> (statuses: [NotificationStatus], settledAt: UInt64?) {
        try await HubHTTPConnection.with(hub) { connection in
            var statuses: [NotificationStatus] = []
            while statuses.count < ids.count {
                let status = try await fetch(connection, id: ids[statuses.count])
                if status.queued == 0 {
                    statuses.append(status)
                } else if Monotonic.now() > deadline {
                    statuses.append(status)
                    for id in ids[statuses.count...] { statuses.append(try await fetch(connection, id: id)) }
                    return (statuses, nil)
                } else {
                    try await Task.sleep(for: interval)
                }
            }
            return (statuses, Monotonic.now())
        }
    }

    /// The `deliveries` line over `statuses`: counts by status, and the first reason given.
    static func report(_ statuses: [NotificationStatus]) {
        var total: [String: Int] = [:]
        for status in statuses { total.merge(status.byStatus, uniquingKeysWith: +) }
        let counts = total.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        Report.field("hub says", counts.isEmpty ? "no deliveries" : counts
            + (statuses.compactMap(\.reason).first.map { " (first reason: \($0.prefix(120)))" } ?? ""))
    }

    /// Milliseconds since 1970, as the hub's timestamps count them.
    static func wallMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
