import Actors
import Gateways

/// One FCM HTTP v1-style push API (an entry of `push.providers`, or `SWITCHBOARD_PUSH_URL`,
/// `_PUSH_PROJECT`, `_PUSH_ACCESS_TOKEN`).
public struct PushProviderSettings: ProviderSettings {
    /// The API's base URL, e.g. `https://fcm.googleapis.com`.
    public var baseURL: String
    public var projectID: String
    /// The OAuth access token sent as `Authorization: Bearer`.
    public var accessToken: String

    public static var channel: NotificationChannelKind { .push }

    public func makeSender() throws(HubError) -> any NotificationSender {
        do {
            return PushSender(provider: FCMPushProvider(settings: try FCMPushSettings(
                baseURL: baseURL, projectID: projectID, accessToken: accessToken)))
        } catch {
            throw .badRequest("push settings: \(error.message)")
        }
    }
}
