import Foundation

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct TemporaryDirectory: Sendable {
    /// The directory's path.
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "switchboard-email-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `name` inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A self-signed certificate for `localhost` and 127.0.0.1 made with `openssl req
    /// -x509`; returns the certificate and key paths. The certificate is its own root, so
    /// it doubles as the client's trust roots file.
    func makeTestCertificate() async throws -> (certificate: String, key: String) {
        let (certificate, key) = (file("cert.pem"), file("key.pem"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let status = await offThePool {
            process.waitUntilExit()
            return process.terminationStatus
        }
        guard status == 0 else { throw TestFailure("openssl req -x509 failed with status \(status)") }
        return (certificate, key)
    }
}
