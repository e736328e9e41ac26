import Foundation

/// The channels a notification can go out on.
public enum NotificationChannelKind: String, Codable, Sendable, CaseIterable {
    case inApp = "in_app"
    case email, sms, push, webhook

    /// Whether the channel needs an address from the recipient's contacts.
    var needsAddress: Bool { self == .email || self == .sms || self == .push }
}

/// The templates of one channel; which fields a channel needs is checked by
/// ``NotificationType/validate()``.
public struct ChannelTemplates: Codable, Sendable, Equatable {
    /// E-mail subject.
    public var subject: String?
    /// Plain text: e-mail text part, SMS, push and in-app text.
    public var text: String?
    /// E-mail HTML part (values HTML-escaped by default).
    public var html: String?
    /// Push title.
    public var title: String?

    /// Creates templates.
    public init(subject: String? = nil, text: String? = nil, html: String? = nil, title: String? = nil) {
        self.subject = subject
        self.text = text
        self.html = html
        self.title = title
    }
}

/// A kind of notification services send (`order.shipped`, `password.reset`): its category
/// (what users opt in or out of), whether it is critical (sent despite opt-outs and quiet
/// hours), its default channels, the variables its data must carry, and its templates per
/// channel, with per-locale variants.
public struct NotificationType: Codable, Sendable, Equatable {
    /// `[a-z0-9_.-]{1,64}`; set from the route.
    public var name: String = ""
    /// `[a-z0-9_-]{1,32}`.
    public var category: String
    /// Critical types ignore opt-outs and quiet hours.
    public var critical: Bool
    /// The channels used when a notification names none.
    public var channels: [NotificationChannelKind]
    /// The variables every notification of this type must carry in its data.
    public var variables: [String]
    /// Templates by channel (`in_app`, `email`, `sms`, `push`).
    public var templates: [String: ChannelTemplates]
    /// Variants by locale (`de`, `pt-BR`), then by channel; a locale falls back to its
    /// language, then to ``templates``.
    public var locales: [String: [String: ChannelTemplates]]

    private enum CodingKeys: String, CodingKey {
        case name, category, critical, channels, variables, templates, locales
    }

    /// Decodes a type; `name`, `critical`, `variables` and `locales` may be left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        category = try container.decode(String.self, forKey: .category)
        critical = try container.decodeIfPresent(Bool.self, forKey: .critical) ?? false
        channels = try container.decode([NotificationChannelKind].self, forKey: .channels)
        variables = try container.decodeIfPresent([String].self, forKey: .variables) ?? []
        templates = try container.decode([String: ChannelTemplates].self, forKey: .templates)
        locales = try container.decodeIfPresent([String: [String: ChannelTemplates]].self, forKey: .locales) ?? [:]
    }

    /// The templates of `channel` for `locale`: the exact locale, its language, then the default.
    func templates(for channel: NotificationChannelKind, locale: String?) -> ChannelTemplates? {
        if let locale {
            if let exact = locales[locale]?[channel.rawValue] { return exact }
            let language = String(locale.prefix { $0 != "-" && $0 != "_" })
            if let general = locales[language]?[channel.rawValue] { return general }
        }
        return templates[channel.rawValue]
    }

    /// Refuses a type that could not be sent: bad names, no channel, a channel without the
    /// templates it needs, a template that does not parse, or one that uses a variable the
    /// type does not declare (so a missing variable is an error now, not a blank later).
    public func validate() throws(EntityError) {
        guard NotificationRules.isName(name, maxLength: 64, extra: [0x2E]) else {
            throw .invalid("a notification type name is 1 to 64 of a-z, 0-9, _, - and .")
        }
        guard NotificationRules.isName(category, maxLength: 32) else { throw .invalid("category must be 1 to 32 of a-z, 0-9, _ and -") }
        guard !channels.isEmpty, Set(channels).count == channels.count else {
            throw .invalid("channels must name at least one of in_app, email, sms, push, webhook, each once")
        }
        for variable in variables where !NotificationRules.isName(variable, maxLength: 64, extra: [0x2E]) {
            throw .invalid("variable \(variable.prefix(64)) is not a valid name")
        }
        let declared = Set(variables)
        for (locale, byChannel) in [("", templates)] + locales.map({ ($0.key, $0.value) }) {
            for (key, channelTemplates) in byChannel {
                guard let channel = NotificationChannelKind(rawValue: key) else { throw .invalid("templates: unknown channel \(key.prefix(32))") }
                let place = locale.isEmpty ? key : "\(locale).\(key)"
                for (field, text) in [("subject", channelTemplates.subject), ("text", channelTemplates.text),
                                      ("html", channelTemplates.html), ("title", channelTemplates.title)] {
                    guard let text else { continue }
                    let used = try TemplateRenderer.variables(in: text, at: "\(place).\(field)")
                    if let undeclared = used.subtracting(declared).sorted().first {
                        throw .invalid("\(place).\(field) uses {{\(undeclared)}}, which is not among the type's variables")
                    }
                }
                _ = channel
            }
        }
        for channel in channels {
            guard let needed = templates[channel.rawValue] else {
                if channel == .webhook { continue }
                throw .invalid("channel \(channel.rawValue) needs templates.\(channel.rawValue)")
            }
            switch channel {
            case .email:
                guard needed.subject != nil, needed.text != nil || needed.html != nil else {
                    throw .invalid("templates.email needs subject and text or html")
                }
            case .push:
                guard needed.title != nil, needed.text != nil else { throw .invalid("templates.push needs title and text") }
            case .sms, .inApp:
                guard needed.text != nil else { throw .invalid("templates.\(channel.rawValue) needs text") }
            case .webhook:
                break
            }
        }
    }
}

/// The name rules of notification types, categories and variables.
enum NotificationRules {
    /// 1 to `maxLength` of a-z, 0-9, `_`, `-`, plus the `extra` bytes.
    static func isName(_ text: String, maxLength: Int, extra: Set<UInt8> = []) -> Bool {
        (1...maxLength).contains(text.utf8.count)
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D || extra.contains($0) }
    }
}
