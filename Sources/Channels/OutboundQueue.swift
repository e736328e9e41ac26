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

/// A connection's outbound frames, bounded in bytes (each frame's ``OutboundFrame/wire``
/// size, also for a connection that then deflates it), with exactly one writer draining it.
///
/// ``enqueue(_:)`` never blocks and never awaits, so fan-out can hand the same bytes to
/// thousands of queues in one pass.
///
/// The bound counts the bytes queued here plus the bytes the writer has taken and not yet
/// reported written (``didWrite(bytes:)``), so a client that stops reading is noticed even
/// when its frames already sit in the socket layer. When a frame would take a non-empty
/// queue past its limit, the queued frames are dropped and the queue closes with
/// ``CloseReason/slowConsumer``: a slow client is disconnected, it never grows the heap or
/// slows the others. A single frame larger than the limit is still accepted into an empty
/// queue (a large subscribe reply).
///
/// The writer is woken, not polled: it registers a wake-up once (``setWake(_:)``), then
/// calls ``take()`` until it returns nil; the next enqueue or close calls the wake-up again.
/// The wake-up runs on the enqueuing thread and must only schedule the drain.
public final class OutboundQueue: Sendable {
    /// What the writer gets next.
    public enum Next: Sendable {
        /// Frames to write, in order, with their total size on the wire for ``didWrite(bytes:)``.
        case frames(OutboundBatch)
        /// Write nothing more; close the socket with this reason.
        case close(CloseReason)
    }

    /// A stored wake-up. Kept in a struct: a bare closure in the `Mutex` state would be
    /// re-wrapped in a new thunk on every read.
    private struct Wake {
        let call: @Sendable () -> Void
    }

    private struct State {
        var frames = OutboundBatch()
        var inFlightBytes = 0
        var closing: CloseReason?
        /// True once the writer has been told to close; the queue then takes nothing.
        var isFinished = false
        var wake: Wake?
        /// True when the writer found nothing to take and waits for a wake-up.
        var isWriterIdle = true

        var queuedBytes: Int { frames.bytes }

        var hasWork: Bool { !frames.isEmpty || (closing != nil && !isFinished) }

        /// The wake-up to call now, if the writer is idle and there is work for it.
        mutating func wakeIfIdle() -> Wake? {
            guard isWriterIdle, hasWork, let wake else { return nil }
            isWriterIdle = false
            return wake
        }
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
    public func enqueue(_ frame: OutboundFrame) -> Bool {
        let size = frame.wire.readableBytes
        let (accepted, wake): (Bool, Wake?) = state.withLock { state in
            guard state.closing == nil else { return (false, nil) }
            let held = state.queuedBytes + state.inFlightBytes
            if held > 0, held + size > maxBytes {
                state.frames = OutboundBatch()
                state.closing = .slowConsumer
                return (false, state.wakeIfIdle())
            }
            state.frames.append(frame)
            return (true, state.wakeIfIdle())
        }
        wake?.call()
        return accepted
    }

    /// Closes the queue after the frames already queued are written.
    public func close(_ reason: CloseReason) {
        let wake = state.withLock { state -> Wake? in
            guard state.closing == nil else { return nil }
            state.closing = reason
            return state.wakeIfIdle()
        }
        wake?.call()
    }

    /// Whether the queue no longer takes frames.
    public var isClosing: Bool { state.withLock { $0.closing != nil } }

    /// Bytes waiting to be written, including those the writer has taken.
    public var queuedBytes: Int { state.withLock { $0.queuedBytes + $0.inFlightBytes } }

    /// Registers the one writer's wake-up; calls it at once if there is work already.
    ///
    /// - Important: Call once, from the writer.
    public func setWake(_ wake: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Wake? in
            precondition(state.wake == nil, "OutboundQueue.setWake(_:) must be called by a single writer, once")
            state.wake = Wake(call: wake)
            return state.wakeIfIdle()
        }
        now?.call()
    }

    /// The next frames or the close, or nil when there is nothing: the writer then waits
    /// for its wake-up. Frames taken count against the bound until ``didWrite(bytes:)``.
    public func take() -> Next? {
        state.withLock { state in
            if !state.frames.isEmpty {
                defer {
                    state.inFlightBytes += state.queuedBytes
                    state.frames = OutboundBatch()
                }
                return .frames(state.frames)
            }
            if let closing = state.closing, !state.isFinished {
                state.isFinished = true
                // The writer is done: dropping its wake-up frees whatever the wake-up holds
                // (the writer, which holds this queue).
                state.wake = nil
                return .close(closing)
            }
            state.isWriterIdle = true
            return nil
        }
    }

    /// Reports bytes of taken frames as written, freeing their room in the bound.
    public func didWrite(bytes: Int) {
        state.withLock { $0.inFlightBytes = max(0, $0.inFlightBytes - bytes) }
    }

    /// The wake-ups as an async sequence, for a writer that is a task: after each element,
    /// ``take()`` until nil. Registers the wake-up, so it is the writer's one registration.
    public func wakeUps() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        setWake { continuation.yield() }
        return stream
    }
}
