/// Where the FCM HTTP v1-style push API lives: requests go to
/// `{baseURL}/v1/projects/{projectID}/messages:send` with `Authorization: Bearer {accessToken}`.
/// Every field is checked once, in ``init(baseURL:projectID:accessToken:timeout:)``.
public struct FCMPushSettings: Sendable, Equatable {
    /// The API's base URL without a trailing slash, e.g. `https://fcm.googleapis.com`.
    public let baseURL: String
    /// The Firebase project id, a path segment.
    public let projectID: String
    /// The OAuth 2 access token sent as the bearer token. It is used as it is: whoever
    /// builds the settings renews it before it expires.
    public let accessToken: String
    /// How long one request may take, connect to last byte read (default 10 s).
    public let timeout: Duration

    /// Checks and creates settings; throws ``MessagingError/invalidSettings(_:)`` when
    /// `baseURL` is not an http or https URL without a query, the project id is not ASCII
    /// letters, digits, `-` and `_`, the token is empty or not visible ASCII, or `timeout` is
    /// not longer than zero.
    public init(baseURL: String, projectID: String, accessToken: String, timeout: Duration = .seconds(10)) throws(MessagingError) {
        self.baseURL = try ProviderSettingsCheck.baseURL(baseURL, of: "push API")
        self.projectID = try ProviderSettingsCheck.identifier(projectID, named: "push project id")
        self.accessToken = try ProviderSettingsCheck.secret(accessToken, named: "push access token")
        self.timeout = try ProviderSettingsCheck.timeout(timeout, of: "push API")
    }

    /// The endpoint that sends a message.
    var sendURL: String { "\(baseURL)/v1/projects/\(projectID)/messages:send" }
}
