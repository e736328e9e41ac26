import Foundation

/// What a user wants to receive: per category and channel opt-in or out, quiet hours in
/// the user's time zone during which non-critical notifications wait, and categories whose
/// e-mail, SMS and push are collected into one digest per window.
public struct NotificationPreferences: Codable, Sendable, Equatable {
    /// `{category: {channel: enabled}}`; a channel not listed is enabled.
    public var categories: [String: [String: Bool]]
    /// Hours during which non-critical notifications wait.
    public var quietHours: QuietHours?
    /// `{category: {window_minutes}}`: that category's notifications are collected.
    public var digest: [String: DigestWindow]

    private enum CodingKeys: String, CodingKey {
        case categories, digest
        case quietHours = "quiet_hours"
    }

    /// No opt-outs, no quiet hours, no digests.
    public init(categories: [String: [String: Bool]] = [:], quietHours: QuietHours? = nil, digest: [String: DigestWindow] = [:]) {
        self.categories = categories
        self.quietHours = quietHours
        self.digest = digest
    }

    /// Decodes preferences; every key may be left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        categories = try container.decodeIfPresent([String: [String: Bool]].self, forKey: .categories) ?? [:]
        quietHours = try container.decodeIfPresent(QuietHours.self, forKey: .quietHours)
        digest = try container.decodeIfPresent([String: DigestWindow].self, forKey: .digest) ?? [:]
    }

    /// Whether `channel` is enabled for `category`.
    func allows(_ channel: NotificationChannelKind, in category: String) -> Bool {
        categories[category]?[channel.rawValue] ?? true
    }

    /// Refuses unknown channels and bad quiet hours.
    func validate() throws(EntityError) {
        for (category, channels) in categories {
            guard NotificationRules.isName(category, maxLength: 32) else { throw .invalid("category \(category.prefix(32)) is not a valid name") }
            for channel in channels.keys where NotificationChannelKind(rawValue: channel) == nil {
                throw .invalid("unknown channel \(channel.prefix(32)) in category \(category)")
            }
        }
        try quietHours?.validate()
        for (category, window) in digest {
            guard NotificationRules.isName(category, maxLength: 32) else { throw .invalid("digest category \(category.prefix(32)) is not a valid name") }
            guard DigestWindow.allowedMinutes.contains(window.windowMinutes) else {
                throw .invalid("digest window_minutes must be 5 to 1440")
            }
        }
    }
}

/// How long a category's notifications are collected before one digest goes out.
///
/// Windows are aligned to the Unix epoch (a 60-minute window ends on the hour, UTC; a
/// 1440-minute one at midnight UTC), so every notification in the same window joins the
/// same digest. Digests apply to e-mail, SMS and push; in-app and webhook deliveries go out
/// at once, and critical types are never held.
public struct DigestWindow: Codable, Sendable, Equatable {
    /// The window, 5 to 1440 minutes.
    public var windowMinutes: Int

    static let allowedMinutes = 5...1440

    private enum CodingKeys: String, CodingKey { case windowMinutes = "window_minutes" }

    /// Creates a window.
    public init(windowMinutes: Int) {
        self.windowMinutes = windowMinutes
    }

    /// The end of the window `milliseconds` falls in (a time on a boundary opens the next
    /// window, rather than closing one alone).
    func end(of milliseconds: Int64) -> Int64 {
        let width = Int64(max(1, windowMinutes)) * 60_000
        return (milliseconds / width + 1) * width
    }

    /// Whether a channel's deliveries are collected.
    static func collects(_ channel: NotificationChannelKind) -> Bool { channel == .email || channel == .sms || channel == .push }
}

/// A daily quiet window, `start` to `end` as `HH:MM` in an IANA time zone; it may span
/// midnight (`22:00` to `07:00`).
public struct QuietHours: Codable, Sendable, Equatable {
    public var start: String
    public var end: String
    public var timezone: String

    /// Creates quiet hours.
    public init(start: String, end: String, timezone: String) {
        self.start = start
        self.end = end
        self.timezone = timezone
    }

    func validate() throws(EntityError) {
        guard Self.minutes(start) != nil, Self.minutes(end) != nil else { throw .invalid("quiet_hours start and end are HH:MM") }
        guard TimeZone(identifier: timezone) != nil else { throw .invalid("quiet_hours timezone \(timezone.prefix(64)) is not an IANA time zone") }
    }

    /// When the quiet window that `date` falls in ends; nil when `date` is not in one.
    func end(after date: Date) -> Date? {
        guard let zone = TimeZone(identifier: timezone), let start = Self.minutes(start), let end = Self.minutes(end), start != end else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let inside = start < end ? (start <= now && now < end) : (now >= start || now < end)
        guard inside else { return nil }
        let day = calendar.startOfDay(for: date)
        let endToday = calendar.date(bySettingHour: end / 60, minute: end % 60, second: 0, of: day) ?? date
        return endToday > date ? endToday : calendar.date(byAdding: .day, value: 1, to: endToday) ?? endToday
    }

    /// `HH:MM` as minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        return hours * 60 + minutes
    }
}

/// How a user is reached: an e-mail address, a phone number, push device tokens, and the
/// locale and time zone notifications are rendered for.
public struct UserContacts: Codable, Sendable, Equatable {
    public var email: String?
    public var phone: String?
    public var pushTokens: [String]
    public var locale: String?
    public var timezone: String?

    private enum CodingKeys: String, CodingKey {
        case email, phone, locale, timezone
        case pushTokens = "push_tokens"
    }

    /// Decodes contacts; every key may be left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        pushTokens = try container.decodeIfPresent([String].self, forKey: .pushTokens) ?? []
        locale = try container.decodeIfPresent(String.self, forKey: .locale)
        timezone = try container.decodeIfPresent(String.self, forKey: .timezone)
    }

    /// Whether the contacts hold an address for `channel`.
    func reaches(_ channel: NotificationChannelKind) -> Bool {
        switch channel {
        case .email: email != nil
        case .sms: phone != nil
        case .push: !pushTokens.isEmpty
        case .inApp, .webhook: true
        }
    }

    /// Refuses malformed addresses.
    func validate() throws(EntityError) {
        if let email {
            let parts = email.split(separator: "@")
            guard email.utf8.count <= 254, parts.count == 2, parts[1].contains("."), !email.contains(where: \.isWhitespace) else {
                throw .invalid("email is not an address")
            }
        }
        if let phone {
            guard phone.hasPrefix("+"), (8...16).contains(phone.count), phone.dropFirst().allSatisfy(\.isNumber) else {
                throw .invalid("phone must be E.164, e.g. +4915123456789")
            }
        }
        guard pushTokens.count <= 20, pushTokens.allSatisfy({ (1...4096).contains($0.utf8.count) }) else {
            throw .invalid("push_tokens: at most 20, each 1 to 4096 bytes")
        }
        if let timezone, TimeZone(identifier: timezone) == nil { throw .invalid("timezone is not an IANA time zone") }
    }
}
