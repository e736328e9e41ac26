import Crypto
import Foundation

/// Encrypts secrets at rest (webhook secrets, provider credentials) with AES-256-GCM, so
/// a copy of the database alone reveals none of them. Every seal uses a fresh random
/// nonce; opening detects tampering and a wrong key.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    /// Uses `key` for sealing and opening.
    ///
    /// - Precondition: `key` is 256 bits.
    public init(key: SymmetricKey) {
        precondition(key.bitCount == 256, "a SecretBox key is 256 bits, not \(key.bitCount)")
        self.key = key
    }

    /// Reads a key written as standard base64 of 32 bytes (surrounding whitespace is
    /// ignored); throws `.invalidKey` for anything else.
    public init(base64Key: String) throws(GatewayError) {
        guard let bytes = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)),
            bytes.count == 32
        else { throw .invalidKey("the secret key is not base64 of 32 bytes") }
        self.init(key: SymmetricKey(data: bytes))
    }

    /// Loads the key kept at `path` as base64 text, or, when no file is there, creates one
    /// with a new random key. The file is created exclusively with mode 0600 and synced
    /// before this returns, so a key that sealed anything survives a crash.
    ///
    /// - Important: the directory must exist. Throws `.invalidKey` when the file cannot be
    ///   read, written or parsed.
    public static func loadOrCreate(path: String) throws(GatewayError) -> SecretBox {
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        do throws(KeyFileFailure) {
            return SecretBox(key: SymmetricKey(data: try loadOrCreateKey(at: path, fresh: fresh, validLengths: 32...32)))
        } catch .cannotWrite {
            throw .invalidKey("cannot create the secret key file \(path)")
        } catch .cannotRead {
            throw .invalidKey("cannot read the secret key file \(path)")
        } catch {
            throw .invalidKey("the secret key file \(path) does not hold base64 of 32 bytes")
        }
    }

    /// Encrypts `plaintext` under a fresh random nonce; returns AES-GCM's combined form
    /// (12-byte nonce, ciphertext, 16-byte tag).
    public func seal(_ plaintext: [UInt8]) throws(GatewayError) -> [UInt8] {
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(plaintext, using: key)
        } catch {
            throw .cryptoFailure("cannot seal the secret")
        }
        // `combined` is nil only for nonces of a non-standard size; seal uses 12 bytes.
        guard let combined = box.combined else { throw .cryptoFailure("cannot seal the secret") }
        return Array(combined)
    }

    /// Decrypts what `seal` returned; throws `.cryptoFailure` when `sealed` is malformed,
    /// tampered with or sealed under another key.
    public func open(_ sealed: [UInt8]) throws(GatewayError) -> [UInt8] {
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key))
        } catch {
            throw .cryptoFailure("cannot open the sealed secret: wrong key or tampered data")
        }
    }
}
