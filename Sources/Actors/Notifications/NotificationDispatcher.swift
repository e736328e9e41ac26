import AsyncAlgorithms
import Channels
import Foundation
import Gateways
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// Sends due deliveries: every 100 ms, and whenever a send ends, for each channel with a free
/// slot it reads that channel's queued deliveries that are due and not in flight, renders each for its
/// recipient (locale from the contacts) and hands it to the channel's
/// ``NotificationChannel``, at most the channel's ``NotificationChannel/concurrency`` at once: a slow or
/// rate-limited channel holds only its own slots. A transient failure is retried on the
/// `retryDelays` schedule, then fails; a permanent one fails at once; a deferral (every
/// provider rate limited or down) waits without spending a retry. Every outcome is stored
/// with the provider calls it took; attempts (not deferrals) are then streamed as
/// `notification.delivery` on `events:notifications`. A digest's deliveries go out as one
/// message. On start, it warns of queued deliveries of channels that have no provider now.
/// Once a minute it deletes notifications older than `retention` (30 days by default) that
/// have nothing left to send, with their deliveries and provider calls; inbox items stay.
///
/// Crash safety: a delivery stays `queued` until its outcome is stored, so after a crash
/// the ones that were in flight are sent again, and none is lost. (A provider that took a
/// message but answered too late, or a failover after a timeout, can also send twice:
/// providers dedupe by the e-mail's Message-ID where they can.)
public final class NotificationDispatcher: Service, Sendable {
    private let store: any NotificationStore
    private let center: NotificationCenter
    private let channels: [NotificationChannelKind: NotificationChannel]
    private let retryDelays: [Duration]
    private let retention: Duration
    private let logger: Logger
    private let tracker = DeliveryTracker()
    private let wakeUps = AsyncStream.makeStream(of: NotificationChannelKind.self, bufferingPolicy: .bufferingNewest(8))

    /// Creates the dispatcher over the channels.
    public init(
        store: any NotificationStore, center: NotificationCenter, channels: [NotificationChannel],
        retryDelays: [Duration] = [.seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600)],
        retention: Duration = .seconds(30 * 24 * 3600), logger: Logger
    ) {
        self.store = store
        self.center = center
        self.channels = Dictionary(channels.map { ($0.kind, $0) }) { first, _ in first }
        self.retryDelays = retryDelays
        self.retention = retention
        self.logger = logger
    }

    /// The in-app provider over `inboxes`.
    public static func inAppSender(_ inboxes: Inboxes) -> any NotificationSender { InAppSender(inboxes: inboxes) }
    /// The webhook provider: `notification.message` events for the webhook outbox.
    public static func webhookSender(_ topics: Topics) -> any NotificationSender { WebhookEventSender(topics: topics) }

    public func run() async throws {
        do {
            // They wait (a configuration put right sends them), but an operator should know.
            let waiting = try await store.queuedDeliveryCount(exceptOn: channels.keys.map(\.rawValue))
            if waiting > 0 { logger.warning("deliveries wait for channels with no provider", metadata: ["sb.count": "\(waiting)"]) }
        } catch {
            logger.error("cannot count deliveries of channels with no provider", metadata: ["sb.error": "\(error)"])
        }
        // A tick reads every channel; a send that ends wakes its own channel at once, so a
        // busy channel is not held to one read per tick.
        let ticks = AsyncTimerSequence(interval: .milliseconds(100), clock: .continuous).map { _ in Optional<NotificationChannelKind>.none }
        let reads = merge(ticks, wakeUps.stream.map { Optional($0) }).cancelOnGracefulShutdown()
        // Attempts run in one long-lived group, so a slow one never holds up the next reads;
        // on shutdown the loop ends and the group waits for those in flight to be recorded.
        await withDiscardingTaskGroup { group in
            var housekeeping = ContinuousClock.now
            for await kind in reads {
                for channel in kind.flatMap({ channels[$0] }).map({ [$0] }) ?? Array(channels.values) {
                    await startDue(on: channel, in: &group)
                }
                if ContinuousClock.now >= housekeeping {
                    housekeeping = ContinuousClock.now + .seconds(60)
                    await expireOldNotifications()
                }
            }
        }
    }

    /// Deletes notifications past their retention, a thousand per transaction, so the
    /// writer is never held long.
    private func expireOldNotifications() async {
        let cutoff = Int64(Date().timeIntervalSince1970 * 1000) - retention.milliseconds
        do {
            while try await store.expireNotifications(createdBefore: cutoff, limit: 1000) == 1000 {}
        } catch {
            logger.error("cannot expire old notifications", metadata: ["sb.error": "\(error)"])
        }
    }

    /// Starts an attempt for each delivery of `channel` due now that is not in flight, while
    /// fewer than the channel's concurrency are.
    private func startDue(on channel: NotificationChannel, in group: inout DiscardingTaskGroup) async {
        let busy = tracker.busy(channel.kind)
        guard busy < channel.concurrency else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let due: [DeliveryRecord]
        do {
            // Rows in flight (or settled while this read ran) still read as queued: pass over them.
            let readStart = ContinuousClock.now
            let rows = try await store.dueDeliveries(channel: channel.kind.rawValue, nowMilliseconds: now, limit: channel.concurrency + busy)
            due = tracker.claim(rows, of: channel.kind, readStart: readStart, limit: channel.concurrency)
        } catch {
            logger.error("cannot read due notifications", metadata: ["sb.error": "\(error)"])
            return
        }
        guard !due.isEmpty else { return }
        var contexts: [String: (NotificationRecord, NotificationType, [String: Any])?] = [:]
        let contacts: [String: UserContacts]
        do {
            contacts = try await center.contacts(of: Array(Set(due.map(\.recipient))))
        } catch {
            // The store is busy or failing: everything stays queued for the next tick.
            tracker.release(due, of: channel.kind, settled: false)
            return
        }
        for batch in await batches(of: due, on: channel.kind) {
            var rendered: [(delivery: DeliveryRecord, message: RenderedNotification?)] = []
            for delivery in batch {
                if contexts[delivery.notificationID] == nil {
                    do {
                        contexts[delivery.notificationID] = .some(try await context(of: delivery.notificationID))
                    } catch {
                        tracker.release([delivery], of: channel.kind, settled: false)
                        continue
                    }
                }
                rendered.append((delivery, (contexts[delivery.notificationID] ?? nil).flatMap { record, type, data in
                    Self.render(record, type, data, channel: channel.kind, locale: contacts[delivery.recipient]?.locale)
                }))
            }
            for (delivery, _) in rendered.filter({ $0.message == nil }) {
                group.addTask { await self.attempt([delivery], on: channel, message: nil, contacts: nil) }
            }
            let sendable = rendered.compactMap { delivery, message in message.map { (delivery, $0) } }
            guard let first = sendable.first else { continue }
            let message = sendable.count == 1 ? first.1 : Self.digest(of: sendable.map(\.1), key: first.0.digest ?? "", on: channel.kind)
            let recipientContacts = contacts[first.0.recipient]
            group.addTask { await self.attempt(sendable.map(\.0), on: channel, message: message, contacts: recipientContacts) }
        }
    }

    /// The due deliveries as sends: one each, except a digest's, which go out together with
    /// the other queued deliveries of the same digest (marked in flight here), at most
    /// ``maxDigestSize`` to a message.
    private func batches(of due: [DeliveryRecord], on channel: NotificationChannelKind) async -> [[DeliveryRecord]] {
        var batches = due.filter { $0.digest == nil }.map { [$0] }
        let digests = Dictionary(grouping: due.filter { $0.digest != nil }) { "\($0.recipient)\u{0}\($0.digest ?? "")" }
        for members in digests.values {
            let first = members[0]
            let readStart = ContinuousClock.now
            let rest: [DeliveryRecord]
            do {
                rest = try await store.digestDeliveries(recipient: first.recipient, channel: first.channel, digest: first.digest ?? "")
            } catch {
                // A partial digest would be sent; all of it waits for the next read instead.
                tracker.release(members, of: channel, settled: false)
                continue
            }
            let joining = tracker.claim(rest, of: channel, readStart: readStart, limit: .max)
            let batch = (members + joining).sorted { $0.id < $1.id }
            tracker.release(Array(batch.dropFirst(Self.maxDigestSize)), of: channel, settled: false)
            batches.append(Array(batch.prefix(Self.maxDigestSize)))
        }
        return batches
    }

    /// Sends `message` for `deliveries` (one, or a digest's) and records the outcome for each.
    private func attempt(_ deliveries: [DeliveryRecord], on channel: NotificationChannel, message: RenderedNotification?, contacts: UserContacts?) async {
        var settled = false
        var unrecorded = false
        defer {
            // A send whose outcome could not be stored stays in flight until the next start,
            // where it is sent again, as after a crash: released now, it would go out again at once.
            if !unrecorded { tracker.release(deliveries, of: channel.kind, settled: settled) }
            wakeUps.continuation.yield(channel.kind)
        }
        guard let recipient = deliveries.first?.recipient else { return }
        let (result, calls) = if let message {
            await channel.send(message, to: recipient, contacts: contacts)
        } else {
            (SendResult.permanent("cannot render the notification"), [ProviderAttempt]())
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let updated = deliveries.map { Self.outcome(of: $0, result, at: now, retryDelays: retryDelays) }
        settled = await record(updated, attempts: deliveries.flatMap { delivery in calls.map { $0.record(for: delivery.id) } })
        guard settled else {
            unrecorded = true
            return
        }
        for (before, after) in zip(deliveries, updated) where after.attempts != before.attempts {
            let reason = after.reason.map { ",\"reason\":\(JSONText.quoted($0))" } ?? ""
            await center.announce("notification.delivery", "{\"id\":\(JSONText.quoted(after.notificationID)),"
                + "\"recipient\":\(JSONText.quoted(after.recipient)),\"channel\":\(JSONText.quoted(after.channel)),"
                + "\"status\":\(JSONText.quoted(after.status)),\"attempts\":\(after.attempts)\(reason)}")
        }
    }

    /// `delivery` after a send came to `result`: sent; queued for a retry on the schedule (or,
    /// for a deferral, after its wait without spending one); or failed.
    static func outcome(of delivery: DeliveryRecord, _ result: SendResult, at now: Int64, retryDelays: [Duration]) -> DeliveryRecord {
        var updated = delivery
        updated.updatedMilliseconds = now
        switch result {
        case .deferred(let reason, let retryAfter):
            updated.reason = reason
            updated.dueMilliseconds = now + retryAfter.milliseconds
        case .sent:
            updated.attempts += 1
            updated.status = "sent"
            updated.reason = nil
            updated.dueMilliseconds = nil
        case .transient(let reason) where updated.attempts < retryDelays.count:
            updated.attempts += 1
            updated.reason = reason
            updated.dueMilliseconds = now + retryDelays[updated.attempts - 1].milliseconds
        case .transient(let reason), .permanent(let reason):
            updated.attempts += 1
            updated.status = "failed"
            updated.reason = reason
            updated.dueMilliseconds = nil
        }
        return updated
    }

    /// Stores a send's outcome, trying again each second for half a minute while the store
    /// fails; false when it never could.
    private func record(_ deliveries: [DeliveryRecord], attempts: [DeliveryAttemptRecord]) async -> Bool {
        for _ in 0..<30 {
            do {
                try await store.updateDeliveries(deliveries, attempts: attempts)
                return true
            } catch {
                logger.error("cannot record a notification attempt", metadata: ["sb.notification": "\(deliveries[0].notificationID)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        return false
    }

    /// A notification, its type and its data; nil when they can never be rendered (the
    /// type is gone, the data is not an object). Throws when the store cannot be read now.
    private func context(of id: String) async throws(EntityError) -> (NotificationRecord, NotificationType, [String: Any])? {
        let found: (NotificationRecord, [DeliveryRecord])?
        do { found = try await store.notification(id: id) } catch { throw .unavailable(error.message) }
        guard let (record, _) = found else { return nil }
        let type: NotificationType
        do {
            type = try await center.type(record.type)
        } catch {
            if error.code == "not_found" { return nil }
            throw error
        }
        guard let data = try? JSONSerialization.jsonObject(with: Data(record.data.utf8)) as? [String: Any] else { return nil }
        return (record, type, data)
    }

    /// The notification rendered for one channel and locale; nil when a template fails.
    static func render(
        _ record: NotificationRecord, _ type: NotificationType, _ data: [String: Any], channel: NotificationChannelKind, locale: String?
    ) -> RenderedNotification? {
        let templates = type.templates(for: channel, locale: locale) ?? ChannelTemplates()
        func text(_ template: String?, html: Bool = false) -> String?? {
            guard let template else { return .some(nil) }
            return (try? TemplateRenderer.render(template, data: data, html: html)).map { .some($0) }
        }
        guard let subject = text(templates.subject), let body = text(templates.text), let html = text(templates.html, html: true),
              let title = text(templates.title)
        else { return nil }
        return RenderedNotification(
            notificationID: record.id, type: type.name, category: type.category, isCritical: type.critical, subject: subject, text: body, html: html, title: title)
    }
}

extension ProviderAttempt {
    /// The attempt as the store records it.
    func record(for deliveryID: Int64) -> DeliveryAttemptRecord {
        let (outcome, detail): (String, String?) = switch result {
        case .sent(let reference): ("sent", reference)
        case .transient(let reason), .deferred(let reason, _): ("transient", reason)
        case .permanent(let reason): ("permanent", reason)
        }
        return DeliveryAttemptRecord(
            deliveryID: deliveryID, provider: provider, startedMilliseconds: startedMilliseconds,
            durationMilliseconds: durationMilliseconds, outcome: outcome, detail: detail)
    }
}
