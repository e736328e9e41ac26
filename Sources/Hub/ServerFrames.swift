import Channels
import NIOCore
import Store

/// The frames a connection sends in answer to its client.
enum ServerFrames {
    /// `{"type":"reply","id":...,"ok":true,"result":...}`.
    static func reply(id: JSONValue, result: String) -> OutboundFrame {
        OutboundFrame(text: "{\"type\":\"reply\",\"id\":\(id.text),\"ok\":true,\"result\":\(result)}")
    }

    /// `{"type":"reply","id":...,"ok":false,"error":{...}}`, or an `error` frame without id.
    static func failure(id: JSONValue?, error: HubError) -> OutboundFrame {
        guard let id else { return OutboundFrame(text: "{\"type\":\"error\",\"error\":\(error.json)}") }
        return OutboundFrame(text: "{\"type\":\"reply\",\"id\":\(id.text),\"ok\":false,\"error\":\(error.json)}")
    }

    /// `{"type":"disconnect",...}`: sent before the server closes a connection.
    static func disconnect(code: UInt16, reason: String, reconnect: Bool) -> OutboundFrame {
        OutboundFrame(text: "{\"type\":\"disconnect\",\"code\":\(code),\"reason\":\(JSONText.quoted(reason)),\"reconnect\":\(reconnect)}")
    }

    /// The events of a position as a result object: `{"epoch","offset","events":[...]}`,
    /// with `prefix` members (e.g. `"topic":...,`) first.
    static func positionResult(_ position: TopicPosition, events: [StoredEvent], prefix: String = "", suffix: String = "") -> String {
        var out = "{" + prefix + "\"epoch\":\(JSONText.quoted(position.epoch)),\"offset\":\(position.offset)" + suffix + ",\"events\":["
        for (index, event) in events.enumerated() {
            if index > 0 { out += "," }
            out += ChannelFrames.eventObject(event)
        }
        return out + "]}"
    }

    /// The subscribe result: `{topic, epoch, offset, recovered, events}`.
    static func subscribeResult(topic: TopicName, _ result: SubscribeResult) -> String {
        positionResult(
            result.position, events: result.events,
            prefix: "\"topic\":\(JSONText.quoted(topic.rawValue)),", suffix: ",\"recovered\":\(result.recovered)")
    }

    /// `{"clients":[...]}`.
    static func presenceResult(_ members: [PresenceMember]) -> String {
        "{\"clients\":[" + members.map(\.json).joined(separator: ",") + "]}"
    }
}
