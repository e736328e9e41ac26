import Channels
import Crypto
import Foundation
import JWTKit
import Store

/// The claims of a Switchboard token (HS256): `sub`, `exp`, `roles`, optional `topics` and
/// `queues`.
struct HubClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var roles: [String]
    var topics: [String]?
    var queues: [String]?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// An authenticated identity and until when it holds.
public struct Authentication: Sendable, Equatable {
    /// Who.
    public var principal: Principal
    /// When the token expires; nil for API keys, which do not.
    public var expires: Date?
}

/// Turns bearer tokens into principals: HS256 JWTs signed with the hub secret, and `sk_`
/// API keys looked up by their SHA-256 hash. Every failure is `unauthorized` with a reason
/// that names no secret.
public final class Authenticator: Sendable {
    private let keys: JWTKeyCollection
    private let store: any EventStore
    private let agentQueues: [String: [String]]

    /// Creates an authenticator for the given secret (at least 32 bytes). `agentQueues`
    /// gives the support queues of agents whose tokens carry no `queues` claim.
    public init(secret: [UInt8], store: any EventStore, agentQueues: [String: [String]] = [:]) async {
        precondition(secret.count >= 32, "the HS256 secret must be at least 32 bytes")
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        self.store = store
        self.agentQueues = agentQueues
    }

    /// Verifies a bearer token.
    public func authenticate(_ token: String) async throws(HubError) -> Authentication {
        if token.hasPrefix("sk_") {
            guard let record = try? await store.apiKey(hash: Self.hash(token)),
                  let role = Role(rawValue: record.role)
            else { throw .unauthorized("unknown API key") }
            return Authentication(principal: Principal(subject: "key:" + record.id, roles: [role]), expires: nil)
        }
        guard Self.algorithm(of: token) == "HS256" else { throw .unauthorized("the token must be an HS256 JWT") }
        let claims: HubClaims
        do {
            claims = try await keys.verify(token, as: HubClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw .unauthorized("the token has expired")
        } catch {
            throw .unauthorized("the token is invalid")
        }
        let roles = claims.roles.compactMap(Role.init(rawValue:))
        guard !claims.sub.value.isEmpty, roles.count == claims.roles.count, !roles.isEmpty else {
            throw .unauthorized("the token needs a subject and known roles")
        }
        return Authentication(
            principal: Principal(
                subject: claims.sub.value, roles: Set(roles), topicPatterns: claims.topics ?? [],
                queues: claims.queues ?? agentQueues[claims.sub.value]),
            expires: claims.exp.value)
    }

    /// Signs a token for `subject` with `roles`, valid for `ttl` seconds.
    public func mint(
        subject: String, roles: [Role], topics: [String]? = nil, queues: [String]? = nil, ttl: TimeInterval
    ) async throws -> String {
        try await keys.sign(HubClaims(
            sub: SubjectClaim(value: subject), exp: ExpirationClaim(value: Date().addingTimeInterval(ttl)),
            roles: roles.map(\.rawValue), topics: topics, queues: queues))
    }

    /// Creates an API key with `role`, stores only its hash, and returns the key itself.
    public static func createAPIKey(role: Role, store: any EventStore) async throws(StoreError) -> String {
        let id = randomToken(bytes: 6)
        let key = "sk_" + id + "_" + randomToken(bytes: 24)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await store.insertAPIKey(APIKeyRecord(id: id, hash: hash(key), role: role.rawValue, createdMilliseconds: now))
        return key
    }

    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The token of an `Authorization: Bearer <token>` header (the word in any case).
    static func bearerToken(_ authorization: String?) -> String? {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return nil }
        return String(authorization.dropFirst(7))
    }

    /// URL-safe base64 of `bytes` random bytes, without padding.
    static func randomToken(bytes: Int) -> String {
        SymmetricKey(size: .init(bitCount: bytes * 8)).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The `alg` of a JWT's header, read without trusting anything else in it.
    private static func algorithm(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }
}
