import Foundation
@testable import Hub
import Testing

@Suite("Clients no one here wrote")
struct PythonClientTests {
    @Test func thePythonWebsocketsClientSpeaksTheProtocol() async throws {
        try await withHub { hub in
            let result = try await runPython("client_roundtrip.py", hub.port, try await hub.token("svc", [.service]))
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test func compressionOffNegotiatesNoExtension() async throws {
        try await withHub({ $0.compression = false }) { hub in
            let result = try await runPython("compression_off.py", hub.port, try await hub.token("svc", [.service]))
            #expect(result.status == 0, "\(result.output)")
        }
    }
}
