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
        let fresh = SymmetricKey(size: .init(bitCount: 384)).withUnsafeBytes { Array($0) }
        do throws(KeyFileFailure) {
            return try loadOrCreateKey(at: path, fresh: fresh, validLengths: 32...)
        } catch .cannotWrite {
            throw .unavailable("cannot write \(path)")
        } catch .cannotRead {
            throw .unavailable("cannot read \(path)")
        } catch {
            throw .unavailable("the secret in \(path) is not base64 of at least 32 bytes")
        }
    }
}
