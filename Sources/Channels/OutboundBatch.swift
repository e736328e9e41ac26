/// Frames an ``OutboundQueue`` hands its writer in one go, in the order they were queued.
///
/// The first frame is held inline and only the others go to an array: a subscriber that
/// keeps up takes one event's frame per drain, and that batch allocates nothing (an array
/// would allocate its storage once per delivery).
public struct OutboundBatch: Sendable, Sequence {
    private var first: OutboundFrame?
    private var rest: [OutboundFrame] = []

    /// The frames' total size on the wire, for ``OutboundQueue/didWrite(bytes:)``.
    public private(set) var bytes = 0

    /// An empty batch.
    init() {}

    /// How many frames the batch holds.
    public var count: Int { first == nil ? 0 : 1 + rest.count }

    /// Whether the batch holds no frame.
    public var isEmpty: Bool { first == nil }

    /// Exactly ``count``, so `map` reserves its result once.
    public var underestimatedCount: Int { count }

    /// Adds a frame after the others.
    mutating func append(_ frame: OutboundFrame) {
        bytes += frame.wire.readableBytes
        if first == nil {
            first = frame
        } else {
            rest.append(frame)
        }
    }

    /// Iterates the frames in order.
    public struct Iterator: IteratorProtocol {
        private var first: OutboundFrame?
        private var rest: IndexingIterator<[OutboundFrame]>

        fileprivate init(_ batch: OutboundBatch) {
            first = batch.first
            rest = batch.rest.makeIterator()
        }

        /// The next frame, or nil after the last.
        public mutating func next() -> OutboundFrame? {
            if let frame = first {
                first = nil
                return frame
            }
            return rest.next()
        }
    }

    /// An iterator over the frames in order.
    public func makeIterator() -> Iterator { Iterator(self) }
}
