import Channels
import Foundation
import Store

/// Credentials minted offline against a hub's data directory, for the CLI.
///
/// Both refuse a directory where no hub has run yet, so a mistyped `--data` never mints
/// tokens under a fresh secret that the running hub would refuse.
public enum Credentials {
    /// A token signed with the data directory's secret.
    public static func token(
        dataDirectory: String, subject: String, roles: [Role], topics: [String]?, ttl: TimeInterval
    ) async throws -> String {
        let (secret, store) = try open(dataDirectory)
        return try await Authenticator(secret: secret, store: store).mint(subject: subject, roles: roles, topics: topics, ttl: ttl)
    }

    /// A new `sk_` API key with `role`; only its hash is stored.
    public static func apiKey(dataDirectory: String, role: Role) async throws -> String {
        try await Authenticator.createAPIKey(role: role, store: open(dataDirectory).1)
    }

    private static func open(_ dataDirectory: String) throws -> ([UInt8], SQLiteStore) {
        var configuration = HubConfiguration()
        configuration.dataDirectory = dataDirectory
        guard FileManager.default.fileExists(atPath: dataDirectory + "/secret"),
              FileManager.default.fileExists(atPath: configuration.databasePath)
        else {
            throw HubError.notFound("no hub data in \(dataDirectory): start `switchboard serve` there first, or pass --data")
        }
        return (try HubSecret.loadOrCreate(dataDirectory: dataDirectory), try SQLiteStore(path: configuration.databasePath))
    }
}

/// The roles a token or key acts with.
public typealias Role = Channels.Role
