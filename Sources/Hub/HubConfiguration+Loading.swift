import Foundation
import Logging
import Store

extension HubConfiguration {
    /// Loads the configuration: defaults, then the JSON file at `path` (if any), then
    /// `SWITCHBOARD_*` variables from `environment`. Unknown keys in the file are logged.
    public static func load(
        file path: String?, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) throws(HubError) -> HubConfiguration {
        var configuration = HubConfiguration()
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .badRequest("cannot read the config file \(path)")
            }
            configuration = try decode(data, path: path, logger: logger)
        }
        try configuration.apply(environment: environment)
        return configuration
    }

    private static func decode(_ data: Data, path: String, logger: Logger) throws(HubError) -> HubConfiguration {
        // Start from the defaults' JSON so the file only needs the keys it changes.
        do {
            let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(HubConfiguration())) as! [String: Any]
            guard let given = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw HubError.badRequest("the config file \(path) is not a JSON object")
            }
            for key in given.keys where defaults[key] == nil {
                logger.warning("unknown configuration key", metadata: ["sb.key": "\(key)", "sb.file": "\(path)"])
            }
            let merged = defaults.merging(given) { _, new in new }
            return try JSONDecoder().decode(HubConfiguration.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let error as HubError {
            throw error
        } catch {
            throw .badRequest("the config file \(path) is invalid: \(error)")
        }
    }

    /// Applies `SWITCHBOARD_PUBLIC_URL`, `SWITCHBOARD_HOST`, `_PORT`, `_DATA`, `_DURABILITY`, `_MAX_MESSAGE_BYTES`,
    /// `_OUTBOUND_QUEUE_BYTES`, `_PING_INTERVAL_SECONDS`, `_CLOSE_TIMEOUT_SECONDS`, `_COMPRESSION`, `_WEBHOOK_RETRY_SCHEDULE`, `_WEBHOOK_ALLOW`,
    /// `_WEBHOOK_SECRET_KEY`, `_SMTP_URL`, `_SMTP_CA_FILE`, `_EMAIL_FROM`, `_EMAIL_HTTP_URL`,
    /// `_EMAIL_HTTP_API_KEY`, `_SMS_URL`, `_SMS_ACCOUNT_SID`, `_SMS_AUTH_TOKEN`, `_SMS_FROM`,
    /// `_PUSH_URL`, `_PUSH_PROJECT`, `_PUSH_ACCESS_TOKEN`, `_ASSISTANT_URL`, `_ASSISTANT_MODEL`,
    /// `_ASSISTANT_API_KEY`.
    mutating func apply(environment: [String: String]) throws(HubError) {
        func integer(_ name: String) throws(HubError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text), value >= 0 else { throw .badRequest("\(name) must be a whole number") }
            return value
        }
        if let url = environment["SWITCHBOARD_PUBLIC_URL"] { self.publicURL = url }
        if let host = environment["SWITCHBOARD_HOST"] { self.host = host }
        if let port = try integer("SWITCHBOARD_PORT") { self.port = port }
        if let data = environment["SWITCHBOARD_DATA"] { self.dataDirectory = data }
        if let bytes = try integer("SWITCHBOARD_MAX_MESSAGE_BYTES") { self.maxMessageBytes = bytes }
        if let bytes = try integer("SWITCHBOARD_OUTBOUND_QUEUE_BYTES") { self.outboundQueueBytes = bytes }
        if let seconds = try integer("SWITCHBOARD_PING_INTERVAL_SECONDS") { self.pingIntervalSeconds = seconds }
        if let seconds = try integer("SWITCHBOARD_CLOSE_TIMEOUT_SECONDS") { self.closeTimeoutSeconds = seconds }
        if let text = environment["SWITCHBOARD_DURABILITY"] {
            guard let durability = SQLiteStore.Durability(rawValue: text) else {
                throw .badRequest("SWITCHBOARD_DURABILITY must be full or normal")
            }
            self.durability = durability
        }
        if let schedule = environment["SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE"] { webhooks.retrySchedule = schedule }
        if let allow = environment["SWITCHBOARD_WEBHOOK_ALLOW"] { webhooks.allow = allow }
        if let key = environment["SWITCHBOARD_WEBHOOK_SECRET_KEY"] { webhooks.secretKey = key }
        if let url = environment["SWITCHBOARD_SMTP_URL"] { email.smtpURL = url }
        if let file = environment["SWITCHBOARD_SMTP_CA_FILE"] { email.smtpCAFile = file }
        if let from = environment["SWITCHBOARD_EMAIL_FROM"] { email.from = from }
        if let url = environment["SWITCHBOARD_EMAIL_HTTP_URL"] { email.httpURL = url }
        if let key = environment["SWITCHBOARD_EMAIL_HTTP_API_KEY"] { email.httpAPIKey = key }
        if let url = environment["SWITCHBOARD_SMS_URL"] {
            sms.providers = [SMSProviderSettings(
                baseURL: url, accountSID: environment["SWITCHBOARD_SMS_ACCOUNT_SID"] ?? "",
                authToken: environment["SWITCHBOARD_SMS_AUTH_TOKEN"] ?? "", from: environment["SWITCHBOARD_SMS_FROM"] ?? "")]
        }
        if let url = environment["SWITCHBOARD_PUSH_URL"] {
            push.providers = [PushProviderSettings(
                baseURL: url, projectID: environment["SWITCHBOARD_PUSH_PROJECT"] ?? "",
                accessToken: environment["SWITCHBOARD_PUSH_ACCESS_TOKEN"] ?? "")]
        }
        if let url = environment["SWITCHBOARD_ASSISTANT_URL"] { assistant.url = url }
        if let model = environment["SWITCHBOARD_ASSISTANT_MODEL"] { assistant.model = model }
        if let key = environment["SWITCHBOARD_ASSISTANT_API_KEY"] { assistant.apiKey = key }
        if let text = environment["SWITCHBOARD_COMPRESSION"] {
            self.compression = ["1", "true", "yes", "on"].contains(text.lowercased())
        }
    }
}
