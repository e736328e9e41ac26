import Actors
import Channels
import Gateways
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Store
import UnixSignals

/// The whole hub, assembled: store, group committer, topics, retention, the HTTP and
/// WebSocket server and the connection drain, run as one `ServiceGroup`.
///
/// Shutdown order (services stop in reverse): connections are drained first (disconnect
/// frames, close 1001), then the HTTP server stops, then webhook attempts in flight finish
/// and are recorded, then retention, and last the committer finishes the commits already
/// waiting.
public struct HubServer: Sendable {
    /// The configuration in force.
    public let configuration: HubConfiguration
    private let hub: HubContext
    private let committer: GroupCommitter
    private let dispatcher: WebhookDispatcher
    private let notificationDispatcher: NotificationDispatcher
    /// The ticket entities (internal for tests, which look at the live count).
    let tickets: EntityRegistry<Ticket>
    /// The chat entities (internal for tests).
    let chats: EntityRegistry<ChatSession>
    private let logger: Logger

    /// Opens the store and prepares everything; nothing listens until ``makeServiceGroup(signals:onListening:)`` runs.
    public init(configuration: HubConfiguration, logger: Logger = Logger(label: "switchboard")) async throws(HubError) {
        HubMetrics.bootstrap()
        self.configuration = configuration
        self.logger = logger
        let secret = try HubSecret.loadOrCreate(dataDirectory: configuration.dataDirectory)
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: configuration.databasePath, durability: configuration.durability, logger: logger)
        } catch {
            throw .unavailable(error.message)
        }
        committer = GroupCommitter(store: store, logger: logger)
        let topics = Topics(
            store: store, committer: committer, policies: configuration.effectiveNamespaces,
            maxRecoveredEvents: configuration.maxRecoveredEvents, logger: logger)
        let webhookSettings = try configuration.webhooks.settings()
        let webhooks = WebhookEndpoints(
            store: store, box: try configuration.webhooks.secretBox(dataDirectory: configuration.dataDirectory),
            settings: webhookSettings)
        dispatcher = WebhookDispatcher(
            store: store, endpoints: webhooks, settings: webhookSettings, logger: logger,
            onEndpointDisabled: { endpoint, reason in
                await Self.announceDisabled(endpoint, reason: reason, topics: topics, logger: logger)
            })
        let entitySettings = EntitySettings(
            maxLive: configuration.maxLiveActors, idleTimeout: .seconds(configuration.actorIdleSeconds),
            snapshotEvery: configuration.snapshotEvery)
        tickets = EntityRegistry<Ticket>(topics: topics, store: store, settings: entitySettings, logger: logger)
        chats = EntityRegistry<ChatSession>(topics: topics, store: store, settings: entitySettings, logger: logger)
        do throws(GatewayError) {
            try configuration.assistant.validate()
        } catch {
            throw .badRequest(error.message)
        }
        let knowledgeBase = KnowledgeBase(store: store)
        let inboxes = Inboxes(store: store, topics: topics)
        let unsubscribeLinks = try UnsubscribeLinks(secret: secret, baseURL: configuration.effectivePublicURL)
        if !unsubscribeLinks.isOneClick, !configuration.email.smtpURL.isEmpty || !configuration.email.httpURL.isEmpty {
            logger.warning("publicURL is not https: notification e-mail will not offer one-click unsubscribe")
        }
        let channels = try Self.notificationChannels(configuration, inboxes: inboxes, topics: topics, unsubscribeLinks: unsubscribeLinks)
        let notifications = NotificationCenter(store: store, topics: topics, channels: Set(channels.map(\.kind)), logger: logger)
        notificationDispatcher = NotificationDispatcher(store: store, center: notifications, channels: channels, logger: logger)
        let support = SupportDesk(
            tickets: tickets, topics: topics, index: store, settings: store, knowledgeBase: knowledgeBase, history: store,
            slaWarningFraction: configuration.slaWarningFraction, logger: logger)
        hub = HubContext(
            configuration: configuration, store: store, topics: topics,
            authenticator: await Authenticator(secret: secret, store: store, agentQueues: configuration.agentQueues),
            connections: ConnectionRegistry(
                maxPerUser: configuration.maxConnectionsPerUser, grace: .seconds(configuration.shutdownGraceSeconds), logger: logger),
            restLimiter: RESTRateLimiter(limits: configuration.restLimits),
            webhooks: webhooks,
            support: support,
            chats: ChatDesk(
                chats: chats, support: support, knowledgeBase: knowledgeBase,
                assistant: ReplyAssistant(
                    knowledgeBase: knowledgeBase,
                    drafter: configuration.assistant.isEnabled ? ChatCompletionsDrafter(settings: configuration.assistant) : nil,
                    topics: topics, logger: logger),
                topics: topics, index: store, logger: logger),
            knowledgeBase: knowledgeBase,
            notifications: notifications,
            inboxes: inboxes,
            unsubscribeLinks: unsubscribeLinks,
            logger: logger)
    }

    /// The notification channels the configuration sets up: in-app and webhook always,
    /// e-mail, SMS and push when they have providers.
    private static func notificationChannels(
        _ configuration: HubConfiguration, inboxes: Inboxes, topics: Topics, unsubscribeLinks: UnsubscribeLinks
    ) throws(HubError) -> [NotificationChannel] {
        var channels = [
            NotificationChannel(kind: .inApp, providers: [ChannelProvider(name: "inbox", sender: NotificationDispatcher.inAppSender(inboxes))]),
            NotificationChannel(kind: .webhook, providers: [ChannelProvider(name: "outbox", sender: NotificationDispatcher.webhookSender(topics))]),
        ]
        do throws(EmailError) {
            if let email = try configuration.email.makeChannel(unsubscribeLink: { unsubscribeLinks.link(user: $0, category: $1) }) { channels.append(email) }
        } catch {
            throw .badRequest("e-mail settings: \(error.message)")
        }
        if let sms = try configuration.sms.makeChannel() { channels.append(sms) }
        if let push = try configuration.push.makeChannel() { channels.append(push) }
        return channels
    }

    /// Publishes `webhook.endpoint_disabled` on `events:webhooks`, so operators and other
    /// systems learn that the hub stopped delivering to an endpoint.
    private static func announceDisabled(_ endpoint: WebhookEndpointRecord, reason: String, topics: Topics, logger: Logger) async {
        let data = "{\"endpoint\":\(JSONText.quoted(endpoint.id)),\"url\":\(JSONText.quoted(endpoint.url)),\"reason\":\(JSONText.quoted(reason))}"
        do {
            _ = try await topics.publish(to: TopicName("events:webhooks")!, name: "webhook.endpoint_disabled", data: data, key: nil)
        } catch {
            logger.error("cannot announce a disabled webhook endpoint", metadata: ["sb.endpoint": "\(endpoint.id)"])
        }
    }

    /// The hub's authenticator, for minting tokens against the same secret.
    public var authenticator: Authenticator { hub.authenticator }

    /// The service group that runs the hub. `onListening` gets the bound port.
    public func makeServiceGroup(
        signals: [UnixSignal] = [.sigterm, .sigint], onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorEnvelopeMiddleware())
        RESTRoutes(hub: hub).register(on: router)

        let app = Application(
            router: router,
            server: HTTPServerBuilder { [hub] responder in HubChildChannel(hub: hub, responder: responder) },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "switchboard"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let retention = RetentionService(store: hub.store, policies: configuration.effectiveNamespaces, logger: logger)
        return ServiceGroup(configuration: .init(
            services: [
                .init(service: committer),
                .init(service: retention),
                .init(service: dispatcher),
                .init(service: notificationDispatcher),
                .init(service: tickets),
                .init(service: chats),
                .init(service: hub.chats),
                .init(service: app),
                .init(service: hub.connections),
            ],
            gracefulShutdownSignals: signals,
            logger: logger))
    }
}
