import AsyncHTTPClient
import NIOCore

/// What a provider's HTTP API (e-mail, SMS, push) answered to one request: the status, and
/// the start of the body.
///
/// ``fetch(_:via:timeout:bodyLimit:)`` bounds the whole exchange, connect to last byte read,
/// by one timeout, and sorts every way of getting no answer into ``Failure``, so no library
/// error text reaches a caller.
struct ProviderAnswer: Sendable {
    /// Why a request got no status.
    enum Failure: Error, Sendable {
        /// No status within the timeout.
        case timeout
        /// The connection could not be made, or broke before the status arrived.
        case connectionFailed
        /// The calling task was cancelled.
        case cancelled
    }

    /// The HTTP status.
    var status: Int
    /// At most the fetch's `bodyLimit` bytes of the body. Best effort: empty or cut short
    /// when the body is larger, breaks off or does not arrive before the deadline. The
    /// status alone says whether the provider took the request.
    var body: ByteBuffer

    /// Sends `request` and waits for the status; then reads the body up to `bodyLimit` bytes
    /// (default 64 KiB) until the same deadline, and drops the rest.
    ///
    /// - Important: Once a status arrived this never throws: a body that fails comes back
    ///   short, because the provider may already have acted on the request.
    static func fetch(
        _ request: HTTPClientRequest, via client: HTTPClient, timeout: Duration, bodyLimit: Int = 1 << 16
    ) async throws(Failure) -> ProviderAnswer {
        let deadline = ContinuousClock.now + timeout
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: .now() + TimeAmount(timeout))
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            throw .timeout
        } catch is CancellationError {
            throw .cancelled
        } catch {
            // A cancelled request fails with the pool's last connect error or `.cancelled`.
            throw Task.isCancelled ? .cancelled : .connectionFailed
        }
        return ProviderAnswer(status: Int(response.status.code), body: await read(response.body, upTo: bodyLimit, until: deadline))
    }

    /// The first `limit` bytes of `body`, or what arrived of them before `deadline`; the
    /// client's deadline covers only the status, so the body gets a timer of its own.
    private static func read(_ body: HTTPClientResponse.Body, upTo limit: Int, until deadline: ContinuousClock.Instant) async -> ByteBuffer {
        await withTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var collected = ByteBuffer()
                do {
                    for try await var chunk in body {
                        if let head = chunk.readSlice(length: min(chunk.readableBytes, limit - collected.readableBytes)) {
                            collected.writeImmutableBuffer(head)
                        }
                        if collected.readableBytes >= limit { break }
                    }
                } catch {
                    return nil
                }
                return collected
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? ByteBuffer()
        }
    }
}
