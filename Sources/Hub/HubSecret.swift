import Crypto
import Foundation

/// The hub's signing secret: 48 random bytes, generated on first start and kept in the
/// data directory as `secret` (base64, mode 0600), so tokens outlive restarts.
public enum HubSecret {
    /// Where the secret of `dataDirectory` is kept.
    static func path(dataDirectory: String) -> String { dataDirectory + "/secret" }

    /// Reads the secret of `dataDirectory`, creating the directory and the secret if needed.
    public static func loadOrCreate(dataDirectory: String) throws(HubError) -> [UInt8] {
        let path = path(dataDirectory: dataDirectory)
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            if let text = files.contents(atPath: path).flatMap({ String(decoding: $0, as: UTF8.self) }) {
                guard let secret = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), secret.count >= 32 else {
                    throw HubError.unavailable("the secret in \(path) is not base64 of at least 32 bytes")
                }
                return Array(secret)
            }
            let secret = SymmetricKey(size: .init(bitCount: 384)).withUnsafeBytes { Array($0) }
            guard files.createFile(
                atPath: path, contents: Data((Data(secret).base64EncodedString() + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
            else { throw HubError.unavailable("cannot write \(path)") }
            return secret
        } catch let error as HubError {
            throw error
        } catch {
            throw .unavailable("cannot prepare the data directory \(dataDirectory)")
        }
    }
}
