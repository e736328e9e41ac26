import Crypto
import Foundation
import Gateways

/// The hub's signing secret: 48 random bytes, generated on first start and kept in the
/// data directory as `secret` (base64, mode 0600), so tokens outlive restarts.
public enum HubSecret {
    /// Where the secret of `dataDirectory` is kept.
    static func path(dataDirectory: String) -> String { dataDirectory + "/secret" }

    /// Reads the secret of `dataDirectory`, creating the directory and the secret if needed.
    ///
    /// A new secret file is created exclusively with mode 0600 and appears whole (see
    /// `createKeyFile(at:contents:)`), so hubs starting at once on a new data directory all
    /// end up with the one secret that was written first.
    public static func loadOrCreate(dataDirectory: String) throws(HubError) -> [UInt8] {
        let path = path(dataDirectory: dataDirectory)
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw .unavailable("cannot prepare the data directory \(dataDirectory)")
        }
        let secret = SymmetricKey(size: .init(bitCount: 384)).withUnsafeBytes { Array($0) }
        switch createKeyFile(at: path, contents: Array((Data(secret).base64EncodedString() + "\n").utf8)) {
        case .created:
            return secret
        case .exists:
            return try read(path)
        case .failed:
            throw .unavailable("cannot write \(path)")
        }
    }

    /// The secret kept at `path`.
    private static func read(_ path: String) throws(HubError) -> [UInt8] {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw .unavailable("cannot read \(path)")
        }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let secret = Data(base64Encoded: text), secret.count >= 32 else {
            throw .unavailable("the secret in \(path) is not base64 of at least 32 bytes")
        }
        return Array(secret)
    }
}
