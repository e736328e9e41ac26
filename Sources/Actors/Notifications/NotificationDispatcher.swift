import AsyncAlgorithms
import Channels
import Foundation
import Gateways
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// Sends due deliveries: every 100 ms, for each channel with a free slot, it reads that
/// channel's queued deliveries that are due and not in flight, renders each for its
/// recipient (locale from the contacts) and hands it to the channel's
/// ``NotificationChannel``, at most `concurrencyPerChannel` at once per channel: a slow or
/// rate-limited channel holds only its own slots. A transient failure is retried on the
/// `retryDelays` schedule, then fails; a permanent one fails at once; a deferral (every
/// provider rate limited or down) waits without spending a retry. Every outcome is stored
/// with the provider calls it took, then streamed as `notification.delivery` on
/// `events:notifications`.
///
/// Crash safety: a delivery stays `queued` until its outcome is stored, so after a crash
/// the ones that were in flight are sent again (the only duplicates), and none is lost.
public final class NotificationDispatcher: Service, Sendable {
    private let store: any NotificationStore
    private let center: NotificationCenter
    private let channels: [NotificationChannelKind: NotificationChannel]
    private let retryDelays: [Duration]
    private let concurrencyPerChannel: Int
    private let logger: Logger
    private let inFlight = Mutex<[NotificationChannelKind: Set<Int64>]>([:])

    /// Creates the dispatcher over the channels.
    public init(
        store: any NotificationStore, center: NotificationCenter, channels: [NotificationChannel],
        retryDelays: [Duration] = [.seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600)],
        concurrencyPerChannel: Int = 64, logger: Logger
    ) {
        self.store = store
        self.center = center
        self.channels = Dictionary(channels.map { ($0.kind, $0) }) { first, _ in first }
        self.retryDelays = retryDelays
        self.concurrencyPerChannel = concurrencyPerChannel
        self.logger = logger
    }

    /// The in-app provider over `inboxes`.
    public static func inAppSender(_ inboxes: Inboxes) -> any NotificationSender { InAppSender(inboxes: inboxes) }
    /// The webhook provider: `notification.message` events for the webhook outbox.
    public static func webhookSender(_ topics: Topics) -> any NotificationSender { WebhookEventSender(topics: topics) }

    public func run() async throws {
        let ticks = AsyncTimerSequence(interval: .milliseconds(100), clock: .continuous).cancelOnGracefulShutdown()
        // Attempts run in one long-lived group, so a slow one never holds up the next reads;
        // on shutdown the loop ends and the group waits for those in flight to be recorded.
        await withDiscardingTaskGroup { group in
            for await _ in ticks {
                for channel in channels.values { await startDue(on: channel, in: &group) }
            }
        }
    }

    /// Starts an attempt for each delivery of `channel` due now that is not in flight, while
    /// fewer than `concurrencyPerChannel` are.
    private func startDue(on channel: NotificationChannel, in group: inout DiscardingTaskGroup) async {
        let busy = inFlight.withLock { $0[channel.kind, default: []].count }
        guard busy < concurrencyPerChannel else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let due: [DeliveryRecord]
        do {
            // Rows in flight are still queued in the store: read past them.
            due = try await store.dueDeliveries(channel: channel.kind.rawValue, nowMilliseconds: now, limit: concurrencyPerChannel + busy)
                .filter { delivery in
                    inFlight.withLock { inFlight in
                        inFlight[channel.kind, default: []].count < concurrencyPerChannel
                            && inFlight[channel.kind, default: []].insert(delivery.id).inserted
                    }
                }
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
            release(due, of: channel.kind)
            return
        }
        for delivery in due {
            if contexts[delivery.notificationID] == nil {
                do {
                    contexts[delivery.notificationID] = .some(try await context(of: delivery.notificationID))
                } catch {
                    release([delivery], of: channel.kind)
                    continue
                }
            }
            let message = (contexts[delivery.notificationID] ?? nil).flatMap { record, type, data in
                Self.render(record, type, data, channel: channel.kind, locale: contacts[delivery.recipient]?.locale)
            }
            let recipientContacts = contacts[delivery.recipient]
            group.addTask { await self.attempt(delivery, on: channel, message: message, contacts: recipientContacts) }
        }
    }

    private func attempt(_ delivery: DeliveryRecord, on channel: NotificationChannel, message: RenderedNotification?, contacts: UserContacts?) async {
        defer { release([delivery], of: channel.kind) }
        let (result, calls) = if let message {
            await channel.send(message, to: delivery.recipient, contacts: contacts)
        } else {
            (SendResult.permanent("cannot render the notification"), [ProviderAttempt]())
        }
        var updated = delivery
        updated.updatedMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        switch result {
        case .deferred(let reason, let retryAfter):
            updated.reason = reason
            updated.dueMilliseconds = updated.updatedMilliseconds + retryAfter.milliseconds
        case .sent:
            updated.attempts += 1
            updated.status = "sent"
            updated.reason = nil
            updated.dueMilliseconds = nil
        case .transient(let reason) where updated.attempts < retryDelays.count:
            updated.attempts += 1
            updated.reason = reason
            updated.dueMilliseconds = updated.updatedMilliseconds + retryDelays[updated.attempts - 1].milliseconds
        case .transient(let reason), .permanent(let reason):
            updated.attempts += 1
            updated.status = "failed"
            updated.reason = reason
            updated.dueMilliseconds = nil
        }
        do {
            try await store.updateDelivery(updated, attempts: calls.map { $0.record(for: delivery.id) })
        } catch {
            logger.error("cannot record a notification attempt", metadata: ["sb.notification": "\(delivery.notificationID)"])
            return
        }
        guard updated.attempts != delivery.attempts else { return }
        let reason = updated.reason.map { ",\"reason\":\(JSONText.quoted($0))" } ?? ""
        await center.announce("notification.delivery", "{\"id\":\(JSONText.quoted(delivery.notificationID)),"
            + "\"recipient\":\(JSONText.quoted(delivery.recipient)),\"channel\":\(JSONText.quoted(delivery.channel)),"
            + "\"status\":\(JSONText.quoted(updated.status)),\"attempts\":\(updated.attempts)\(reason)}")
    }

    /// Lets deliveries taken for this tick be read again at the next (they stay queued).
    private func release(_ deliveries: [DeliveryRecord], of channel: NotificationChannelKind) {
        inFlight.withLock { inFlight in
            for delivery in deliveries { inFlight[channel]?.remove(delivery.id) }
        }
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
