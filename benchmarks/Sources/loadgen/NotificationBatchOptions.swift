import ArgumentParser

/// The batch of the e-mail and in-app scenarios: U users, each the recipient of one of
/// U / R notifications of R recipients, all POSTed at once.
struct NotificationBatchOptions: ParsableArguments {
    @Option(help: "Users, each the recipient of one notification.") var users: Int = 10_000
    @Option(help: "Recipients per notification (1 to 1000); users / recipients notifications are posted.")
    var recipients: Int = 1000
    @Option(help: "Seconds to wait for all deliveries, from the first POST.") var timeout: Double = 300

    /// How many notifications are posted.
    var notifications: Int { users / recipients }

    func validate() throws {
        guard (1...1000).contains(recipients), users % recipients == 0 else {
            throw ValidationError("--recipients must be 1 to 1000 and divide --users")
        }
    }
}
