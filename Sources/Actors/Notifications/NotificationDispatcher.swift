import AsyncAlgorithms
import Channels
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// Sends due deliveries: every 100 ms it reads the queued deliveries that are due and not
/// in flight, renders each for its recipient (locale from the contacts) and hands it to its
/// channel's ``NotificationSender``, at most `concurrency` at once; a slow attempt holds
/// only its own slot. A transient failure is retried
/// on the `retryDelays` schedule, then fails; a permanent one fails at once. Every change
/// is stored, then streamed as `notification.delivery` on `events:notifications`.
///
/// Crash safety: a delivery stays `queued` until its outcome is stored, so after a crash
/// the ones that were in flight are sent again (the only duplicates), and none is lost.
public final class NotificationDispatcher: Service, Sendable {
    private let store: any NotificationStore
    private let center: NotificationCenter
    private let senders: [NotificationChannelKind: any NotificationSender]
    private let retryDelays: [Duration]
    private let concurrency: Int
    private let logger: Logger
    private let inFlight = Mutex<Set<Int64>>([])

    /// Creates the dispatcher over the channels' senders.
    public init(
        store: any NotificationStore, center: NotificationCenter, senders: [NotificationChannelKind: any NotificationSender],
        retryDelays: [Duration] = [.seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600)],
        concurrency: Int = 64, logger: Logger
    ) {
        self.store = store
        self.center = center
        self.senders = senders
        self.retryDelays = retryDelays
        self.concurrency = concurrency
        self.logger = logger
    }

    /// The in-app sender over `inboxes`, for the senders table.
    public static func inAppSender(_ inboxes: Inboxes) -> any NotificationSender { InAppSender(inboxes: inboxes) }

    public func run() async throws {
        let ticks = AsyncTimerSequence(interval: .milliseconds(100), clock: .continuous).cancelOnGracefulShutdown()
        // Attempts run in one long-lived group, so a slow one never holds up the next reads;
        // on shutdown the loop ends and the group waits for those in flight to be recorded.
        await withDiscardingTaskGroup { group in
            for await _ in ticks {
                await startDue(in: &group)
            }
        }
    }

    /// Starts an attempt for each delivery due now that is not in flight, while fewer than
    /// `concurrency` are.
    private func startDue(in group: inout DiscardingTaskGroup) async {
        let busy = inFlight.withLock { $0.count }
        guard busy < concurrency else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let due: [DeliveryRecord]
        do {
            // Rows in flight are still queued in the store: read past them.
            due = try await store.dueDeliveries(nowMilliseconds: now, limit: concurrency + busy).filter { delivery in
                inFlight.withLock { inFlight in
                    inFlight.count < concurrency && inFlight.insert(delivery.id).inserted
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
            release(due)
            return
        }
        for delivery in due {
            if contexts[delivery.notificationID] == nil {
                do {
                    contexts[delivery.notificationID] = .some(try await context(of: delivery.notificationID))
                } catch {
                    release([delivery])
                    continue
                }
            }
            let message = (contexts[delivery.notificationID] ?? nil).flatMap { record, type, data in
                Self.render(record, type, data, channel: delivery.channel, locale: contacts[delivery.recipient]?.locale)
            }
            let recipientContacts = contacts[delivery.recipient]
            group.addTask { await self.attempt(delivery, message: message, contacts: recipientContacts) }
        }
    }

    private func attempt(_ delivery: DeliveryRecord, message: RenderedNotification?, contacts: UserContacts?) async {
        defer { _ = inFlight.withLock { $0.remove(delivery.id) } }
        let result: SendResult
        if let message, let channel = NotificationChannelKind(rawValue: delivery.channel), let sender = senders[channel] {
            result = await sender.send(message, to: delivery.recipient, contacts: contacts)
        } else {
            result = .permanent(message == nil ? "cannot render the notification" : "no provider for \(delivery.channel)")
        }
        var updated = delivery
        updated.attempts += 1
        updated.updatedMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        switch result {
        case .sent:
            updated.status = "sent"
            updated.reason = nil
            updated.dueMilliseconds = nil
        case .transient(let reason) where updated.attempts <= retryDelays.count:
            updated.reason = reason
            let delay = retryDelays[updated.attempts - 1]
            updated.dueMilliseconds = updated.updatedMilliseconds + delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
        case .transient(let reason), .permanent(let reason):
            updated.status = "failed"
            updated.reason = reason
            updated.dueMilliseconds = nil
        }
        do {
            try await store.updateDelivery(updated)
        } catch {
            logger.error("cannot record a notification attempt", metadata: ["sb.notification": "\(delivery.notificationID)"])
            return
        }
        let reason = updated.reason.map { ",\"reason\":\(JSONText.quoted($0))" } ?? ""
        await center.announce("notification.delivery", "{\"id\":\(JSONText.quoted(delivery.notificationID)),"
            + "\"recipient\":\(JSONText.quoted(delivery.recipient)),\"channel\":\(JSONText.quoted(delivery.channel)),"
            + "\"status\":\(JSONText.quoted(updated.status)),\"attempts\":\(updated.attempts)\(reason)}")
    }

    /// Lets deliveries taken for this tick be read again at the next (they stay queued).
    private func release(_ deliveries: [DeliveryRecord]) {
        inFlight.withLock { inFlight in
            for delivery in deliveries { inFlight.remove(delivery.id) }
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
        _ record: NotificationRecord, _ type: NotificationType, _ data: [String: Any], channel: String, locale: String?
    ) -> RenderedNotification? {
        guard let kind = NotificationChannelKind(rawValue: channel) else { return nil }
        let templates = type.templates(for: kind, locale: locale) ?? ChannelTemplates()
        func text(_ template: String?, html: Bool = false) -> String?? {
            guard let template else { return .some(nil) }
            return (try? TemplateRenderer.render(template, data: data, html: html)).map { .some($0) }
        }
        guard let subject = text(templates.subject), let body = text(templates.text), let html = text(templates.html, html: true),
              let title = text(templates.title)
        else { return nil }
        return RenderedNotification(notificationID: record.id, type: type.name, subject: subject, text: body, html: html, title: title)
    }
}
