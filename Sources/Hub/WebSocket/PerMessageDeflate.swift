import CompressNIO
import Foundation
import Channels
import NIOCore
import Synchronization

/// permessage-deflate (RFC 7692) for one connection: what was negotiated, the compressor
/// the hub's messages go through and the inflater for the client's.
///
/// Memory: zlib's deflate state is about 256 KiB, more than twenty idle connections, and
/// browsers offer compression on every connection. So the hub always answers
/// `server_no_context_takeover` (RFC 7692 §7.1.1.1 lets a server add it): each message is
/// compressed from a fresh state, and one compressor per event loop and window size serves
/// every connection of that loop. The inflater keeps the client's context (it must, unless
/// the client gave it up) and is created on the first compressed message.
///
/// Confined to the connection's event loop (zlib streams are not thread-safe), like the
/// ``SocketHandler`` that owns it.
final class PerMessageDeflate {
    /// The accepted offer. Only what the hub can honour exactly is accepted.
    struct Parameters: Sendable, Equatable {
        /// The client resets its compressor after every message, so the hub resets its inflater.
        var clientNoContextTakeover = false
        /// The window the hub compresses with (9–15 bits).
        var serverMaxWindowBits: Int32?

        /// The `Sec-WebSocket-Extensions` value that accepts the offer.
        var responseHeader: String {
            var header = "permessage-deflate; server_no_context_takeover"
            if clientNoContextTakeover { header += "; client_no_context_takeover" }
            if let serverMaxWindowBits { header += "; server_max_window_bits=\(serverMaxWindowBits)" }
            return header
        }

        /// The first permessage-deflate offer among `Sec-WebSocket-Extensions` values that
        /// the hub can accept, or nil: then the connection is not compressed.
        ///
        /// An offer is declined when it has an unknown or repeated parameter, a malformed
        /// value, or `server_max_window_bits=8` (zlib's raw deflate cannot honour it).
        /// `client_max_window_bits` needs no answer: the hub inflates with the largest window.
        static func negotiate(_ headerValues: [String]) -> Parameters? {
            for offer in headerValues.flatMap({ $0.split(separator: ",") }) {
                let items = offer.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard items.first?.lowercased() == "permessage-deflate" else { continue }
                if let parameters = accept(items.dropFirst()) { return parameters }
            }
            return nil
        }

        private static func accept(_ items: ArraySlice<String>) -> Parameters? {
            var parameters = Parameters()
            var seen = Set<String>()
            for item in items {
                let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                let name = pair[0].lowercased()
                let value = pair.count > 1 ? pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : nil
                guard seen.insert(name).inserted else { return nil }
                switch (name, value) {
                case ("server_no_context_takeover", nil): break  // answered always
                case ("client_no_context_takeover", nil): parameters.clientNoContextTakeover = true
                case ("server_max_window_bits", let value?):
                    guard let bits = Int32(value), (9...15).contains(bits) else { return nil }
                    parameters.serverMaxWindowBits = bits
                case ("client_max_window_bits", nil): break
                case ("client_max_window_bits", let value?):
                    guard let bits = Int(value), (8...15).contains(bits) else { return nil }
                default: return nil
                }
            }
            return parameters
        }
    }

    /// Messages shorter than this go out uncompressed: deflate would only add bytes and CPU.
    static let minimumCompressedBytes = 256

    let parameters: Parameters
    private let compressor: ZlibCompressor
    private var decompressor: ZlibDecompressor?

    /// Prepares compression for a connection on `eventLoop`; call on that loop.
    init(_ parameters: Parameters, on eventLoop: any EventLoop) throws {
        self.parameters = parameters
        compressor = try SharedCompressors.compressor(windowBits: parameters.serverMaxWindowBits ?? 15, on: eventLoop)
    }

    /// The deflated payload of a whole message, its empty final block removed (§7.2.1).
    func compress(_ message: ByteBuffer, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var message = message
        defer { try? compressor.reset() }
        var deflated = try message.compressStream(with: compressor, flush: .sync, allocator: allocator)
        deflated.moveWriterIndex(to: deflated.writerIndex - 4)
        return deflated
    }

    /// The inflated payload of a whole message (§7.2.2). Throws the close the connection
    /// ends with: 1009 when it inflates past `maxBytes`, 1007 when it is not valid deflate.
    func decompress(_ message: ByteBuffer, maxBytes: Int, allocator: ByteBufferAllocator) throws(CloseReason) -> ByteBuffer {
        var message = message
        message.writeBytes([0x00, 0x00, 0xFF, 0xFF])
        do {
            let decompressor = try self.decompressor ?? ZlibDecompressor(algorithm: .deflate, windowSize: 15)
            self.decompressor = decompressor
            let inflated = try message.decompressStream(with: decompressor, maxSize: maxBytes, allocator: allocator)
            // Bytes left over mean the message ended its deflate stream with a final block
            // (BFINAL, which §7.2.3.4 allows): the next message starts a new stream, so the
            // inflater starts afresh too (otherwise it inflates nothing ever after).
            if parameters.clientNoContextTakeover || message.readableBytes > 0 { try decompressor.reset() }
            return inflated
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .messageTooLarge
        } catch {
            throw .invalidPayload("the message is not valid deflate data")
        }
    }
}

/// One compressor per event loop and window size, shared by the loop's connections: with
/// `server_no_context_takeover` a compressor holds no state between messages.
private final class SharedCompressors {
    private static let perLoop = Mutex<[ObjectIdentifier: NIOLoopBound<SharedCompressors>]>([:])
    private var byWindowBits: [Int32: ZlibCompressor] = [:]

    /// The compressor of `eventLoop` for `windowBits`; call on that loop.
    static func compressor(windowBits: Int32, on eventLoop: any EventLoop) throws -> ZlibCompressor {
        let shared = perLoop.withLock { perLoop in
            if let shared = perLoop[ObjectIdentifier(eventLoop)] { return shared }
            let created = NIOLoopBound(SharedCompressors(), eventLoop: eventLoop)
            perLoop[ObjectIdentifier(eventLoop)] = created
            return created
        }.value
        if let existing = shared.byWindowBits[windowBits] { return existing }
        let created = try ZlibCompressor(algorithm: .deflate, configuration: ZlibConfiguration(windowSize: windowBits))
        shared.byWindowBits[windowBits] = created
        return created
    }
}
