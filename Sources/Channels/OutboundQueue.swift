import NIOCore
import Synchronization

/// Why a connection's outbound queue was closed; the writer turns it into a close frame.
public struct CloseReason: Error, Sendable, Equatable {
    /// The WebSocket close code.
    public var code: UInt16
    /// A short human-readable reason.
    public var reason: String

    /// Creates a reason.
    public init(code: UInt16, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// 4008: the client did not read fast enough and its queue overflowed.
    public static let slowConsumer = CloseReason(code: 4008, reason: "slow consumer")
}

/// A connection's outbound frames, bounded in bytes, with exactly one writer draining it.
///
/// ``enqueue(_:)`` never blocks and never awaits, so fan-out can hand the same bytes to
/// thousands of queues in one pass. When a frame would take a non-empty queue past its
/// byte limit, the queued frames are dropped and the queue closes with
/// ``CloseReason/slowConsumer``: a slow client is disconnected, it never grows the heap
/// or slows the others. A single frame larger than the limit is still accepted into an
/// empty queue (a large subscribe reply), so a queue holds at most `maxBytes` plus one
/// frame, besides the batch its writer has taken and is writing.
public final class OutboundQueue: Sendable {
    /// What the writer gets next.
    public enum Next: Sendable {
        /// Frames to write, in order.
        case frames([ByteBuffer])
        /// Write nothing more; close the socket with this reason.
        case close(CloseReason)
    }

    private struct State {
        var frames: [ByteBuffer] = []
        var bytes = 0
        var closing: CloseReason?
        /// True once the writer has been told to close; the queue then takes nothing.
        var isFinished = false
        var writer: CheckedContinuation<Next, Never>?
    }

    private let state = Mutex(State())
    /// The most bytes the queue holds before the client counts as slow.
    public let maxBytes: Int

    /// Creates a queue holding at most `maxBytes` of frames.
    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Adds a frame. Returns false when the queue is closing or the frame overflowed it (the
    /// queue then closes as a slow consumer).
    @discardableResult
    public func enqueue(_ frame: ByteBuffer) -> Bool {
        let (accepted, resume): (Bool, (CheckedContinuation<Next, Never>, Next)?) = state.withLock { state in
            guard state.closing == nil else { return (false, nil) }
            if state.bytes > 0, state.bytes + frame.readableBytes > maxBytes {
                state.frames = []
                state.bytes = 0
                state.closing = .slowConsumer
                return (false, Self.handOff(&state))
            }
            state.frames.append(frame)
            state.bytes += frame.readableBytes
            return (true, Self.handOff(&state))
        }
        if let (writer, next) = resume { writer.resume(returning: next) }
        return accepted
    }

    /// Closes the queue after the frames already queued are written.
    public func close(_ reason: CloseReason) {
        let resume = state.withLock { state -> (CheckedContinuation<Next, Never>, Next)? in
            guard state.closing == nil else { return nil }
            state.closing = reason
            return Self.handOff(&state)
        }
        if let (writer, next) = resume { writer.resume(returning: next) }
    }

    /// Whether the queue no longer takes frames.
    public var isClosing: Bool { state.withLock { $0.closing != nil } }

    /// Bytes waiting to be written.
    public var queuedBytes: Int { state.withLock { $0.bytes } }

    /// Waits for the next frames or the close. Call from the one writer only.
    public func next() async -> Next {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Next? in
                if let next = Self.take(&state) { return next }
                precondition(state.writer == nil, "OutboundQueue.next() must be called by a single writer")
                state.writer = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// If the writer is waiting and there is something for it, takes it.
    private static func handOff(_ state: inout State) -> (CheckedContinuation<Next, Never>, Next)? {
        guard let writer = state.writer, let next = take(&state) else { return nil }
        state.writer = nil
        return (writer, next)
    }

    private static func take(_ state: inout State) -> Next? {
        if !state.frames.isEmpty {
            defer {
                state.frames = []
                state.bytes = 0
            }
            return .frames(state.frames)
        }
        if let closing = state.closing, !state.isFinished {
            state.isFinished = true
            return .close(closing)
        }
        return state.isFinished ? .close(state.closing!) : nil
    }
}
