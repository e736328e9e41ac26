import Testing
@testable import Gateways

@Suite("SMTPSettings")
struct SMTPSettingsTests {
    @Test func plainURLDefaultsToOpportunisticStartTLSOnPort587() throws {
        let settings = try SMTPSettings(url: "smtp://mail.example.test")
        #expect(settings.host == "mail.example.test")
        #expect(settings.port == 587)
        #expect(settings.security == .opportunisticStartTLS)
        #expect(settings.username == nil && settings.password == nil)
    }

    @Test func credentialsArePercentDecoded() throws {
        let settings = try SMTPSettings(url: "smtp://hub%40example.test:p%3Ass%2Fw@mail.example.test:2525?starttls=require")
        #expect(settings.username == "hub@example.test")
        #expect(settings.password == "p:ss/w")
        #expect(settings.port == 2525)
        #expect(settings.security == .requireStartTLS)
        #expect(settings.description == "smtp://hub@example.test:***@mail.example.test:2525?starttls=require")
    }

    @Test func smtpsMeansImplicitTLSOnPort465() throws {
        let settings = try SMTPSettings(url: "smtps://u:p@mail.example.test")
        #expect(settings.security == .implicitTLS)
        #expect(settings.port == 465)
    }

    @Test(arguments: [
        "http://mail.example.test", "smtp://", "smtp://mail.example.test/path", "smtp://mail.example.test?starttls=maybe",
        "smtp://mail.example.test?pool=3", "smtps://mail.example.test?starttls=require", "smtp://user@mail.example.test",
        "smtp://u:%zz@mail.example.test", "not a url",
    ])
    func badURLsAreRefusedWithATypedError(url: String) {
        #expect {
            try SMTPSettings(url: url)
        } throws: { error in
            (error as? EmailError)?.code == "email_invalid_settings"
        }
    }

    @Test func environmentGivesURLSenderAndTrustRoots() throws {
        let settings = try #require(try SMTPSettings(environment: [
            "SWITCHBOARD_SMTP_URL": "smtps://relay.example.test", "SWITCHBOARD_EMAIL_FROM": "Switchboard <noreply@example.test>",
            "SWITCHBOARD_SMTP_CA_FILE": "/etc/relay-ca.pem",
        ]))
        #expect(settings.from == Mail.address("noreply@example.test", name: "Switchboard"))
        #expect(settings.trustRootsPath == "/etc/relay-ca.pem")
        #expect(try SMTPSettings(environment: [:]) == nil)
    }

    @Test func addressesParseWithAndWithoutDisplayNames() throws {
        #expect(try MailAddress(parsing: "\"Switchboard Hub\" <hub@example.test>") == Mail.address("hub@example.test", name: "Switchboard Hub"))
        #expect(try MailAddress(parsing: " hub@example.test ") == Mail.address("hub@example.test"))
        #expect(throws: EmailError.self) { try MailAddress(parsing: "no-at-sign") }
        #expect(throws: EmailError.self) { try MailAddress(parsing: "a b@example.test") }
    }
}
