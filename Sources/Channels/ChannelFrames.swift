import NIOCore
import Store

/// The server frames that topics send on their own (events, presence, unsubscribed),
/// encoded and framed once, and shared by every subscriber.
public enum ChannelFrames {
    /// An event as its JSON object (without the `type` key's frame wrapper), as it appears
    /// inside `events: [...]` of replies and in webhooks.
    public static func eventObject(_ event: StoredEvent) -> String {
        "{\"topic\":\(JSONText.quoted(event.topic)),\"offset\":\(event.offset),\"epoch\":\(JSONText.quoted(event.epoch)),"
            + "\"time\":\"\(JSONText.timestamp(milliseconds: event.timeMilliseconds))\",\"name\":\(JSONText.quoted(event.name)),"
            + "\"data\":\(event.data)}"
    }

    /// `{"type":"event",...}`: a live event.
    public static func event(_ event: StoredEvent) -> OutboundFrame {
        var object = eventObject(event)
        object.removeFirst()
        return OutboundFrame(text: "{\"type\":\"event\"," + object)
    }

    /// `{"type":"presence",...}`: a client joined or left a topic.
    static func presence(topic: TopicName, joined: Bool, member: PresenceMember) -> OutboundFrame {
        OutboundFrame(text: "{\"type\":\"presence\",\"topic\":\(JSONText.quoted(topic.rawValue)),"
            + "\"action\":\"\(joined ? "join" : "leave")\",\"client\":\(JSONText.quoted(member.client)),"
            + "\"user\":\(JSONText.quoted(member.user))}")
    }

    /// `{"type":"signal",...}`: an ephemeral notice (typing) that is never stored.
    static func signal(topic: TopicName, name: String, data: String) -> OutboundFrame {
        OutboundFrame(text: "{\"type\":\"signal\",\"topic\":\(JSONText.quoted(topic.rawValue)),"
            + "\"name\":\(JSONText.quoted(name)),\"data\":\(data)}")
    }

    /// `{"type":"unsubscribed",...}`: the server ended a subscription.
    public static func unsubscribed(topic: TopicName, reason: String) -> OutboundFrame {
        OutboundFrame(text: "{\"type\":\"unsubscribed\",\"topic\":\(JSONText.quoted(topic.rawValue)),\"reason\":\(JSONText.quoted(reason))}")
    }
}
