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
        dataDirectory: String, subject: String, roles: [Role], topics: [String]?, queues: [String]? = nil, ttl: TimeInterval
    ) async throws -> String {
        let (secret, store) = try open(dataDirectory)
        return try await Authenticator(secret: secret, store: store).mint(subject: subject, roles: roles, topics: topics, queues: queues, ttl: ttl)
    }

    /// A new `sk_` API key with `role`; only its hash is stored.
    public static func apiKey(dataDirectory: String, role: Role) async throws -> String {
        try await Authenticator.createAPIKey(role: role, store: open(dataDirectory).1)
    }

    private static func open(_ dataDirectory: String) throws -> ([UInt8], SQLiteStore) {
        let database = HubConfiguration.databasePath(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: HubSecret.path(dataDirectory: dataDirectory)),
              FileManager.default.fileExists(atPath: database)
        else {
            throw HubError.notFound("no hub data in \(dataDirectory): start `switchboard serve` there first, or pass --data")
        }
        return (try HubSecret.loadOrCreate(dataDirectory: dataDirectory), try SQLiteStore(path: database))
    }
}

/// The roles a token or key acts with.
public typealias Role = Channels.Role
