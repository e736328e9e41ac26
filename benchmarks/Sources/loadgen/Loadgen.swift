import ArgumentParser

/// `loadgen`: drives a running Switchboard hub over WebSocket and reports what it measured.
///
/// Every subcommand talks to the hub over the network only. Times come from one monotonic
/// clock (``Monotonic``), so latencies measured between publishers and subscribers of this
/// process are comparable.
@main
struct Loadgen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load generator for the Switchboard hub.",
        subcommands: [
            Fanout.self, Topics.self, Idle.self, PublishThroughput.self, Webhooks.self, WebhooksFill.self, WebhooksDrain.self,
            Chat.self, Activation.self, NotificationsAccept.self, NotificationsEmail.self, NotificationsInApp.self,
        ])
}

/// Where the hub is and how to reach it.
struct HubOptions: ParsableArguments {
    @Option(help: "The hub's base URL, http://HOST:PORT or ws://HOST:PORT.") var url: String
    @Option(help: "A token with role service (minted with `switchboard token --role service`).") var token: String
    @Option(help: "The hub's process id, to report its CPU time and memory.") var hubPid: Int32?

    /// The WebSocket endpoint, `ws://HOST:PORT/v1/ws`.
    var webSocketURL: String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasPrefix("http://") { base = "ws://" + base.dropFirst("http://".count) }
        return base.hasSuffix("/v1/ws") ? base : base + "/v1/ws"
    }
}
