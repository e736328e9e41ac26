import Foundation

/// What the SMTP server (`Tests/GatewaysTests/Python/smtp_server.py --count-only`) has
/// recorded in its `--record` file, read as the file grows: one JSON line per connection,
/// disconnection and accepted message. A message line's `t` is the server's
/// `CLOCK_MONOTONIC` reading, the clock of ``Monotonic``, so arrival times are exact.
///
/// - Important: not thread-safe; one task reads it.
final class SMTPRecord {
    /// What the file held when it was last read.
    struct Counts {
        /// Messages accepted (a message may carry several recipients).
        var messages = 0
        /// Recipients over all messages, duplicates included.
        var recipients = 0
        /// Distinct recipient addresses among them.
        var distinct = 0
        /// Connections the hub opened to the server.
        var connections = 0
        /// When the first message was accepted (``Monotonic``), if one was.
        var firstMessage: UInt64?
        /// When the latest new recipient's message was accepted.
        var lastNewRecipient: UInt64 = 0
    }

    private(set) var counts = Counts()
    private let file: FileHandle
    private var partial = Data()
    private var addresses: Set<String> = []

    init(path: String) throws {
        guard let file = FileHandle(forReadingAtPath: path) else { throw SMTPRecordError.cannotOpen(path) }
        self.file = file
    }

    /// Reads the lines appended since the last call.
    func update() {
        partial.append(file.availableData)
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            let line = partial[partial.startIndex..<newline]
            partial.removeSubrange(partial.startIndex...newline)
            guard let event = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else { continue }
            switch event["event"] as? String {
            case "connect":
                counts.connections += 1
            case "message":
                let at = (event["t"] as? NSNumber).map { $0.uint64Value } ?? Monotonic.now()
                counts.messages += 1
                counts.firstMessage = counts.firstMessage ?? at
                for address in event["rcpt_tos"] as? [String] ?? [] {
                    counts.recipients += 1
                    if addresses.insert(address).inserted {
                        counts.distinct += 1
                        counts.lastNewRecipient = max(counts.lastNewRecipient, at)
                    }
                }
            default:
                break
            }
        }
    }

    /// Waits until `count` distinct recipients have been recorded or the clock passes
    /// `deadline` (``Monotonic``); false on timeout. Reads the file every 10 ms.
    func waitForDistinct(_ count: Int, deadline: UInt64) async throws -> Bool {
        while true {
            update()
            if counts.distinct >= count { return true }
            if Monotonic.now() > deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

enum SMTPRecordError: Error, CustomStringConvertible {
    case cannotOpen(String)

    var description: String {
        switch self {
        case .cannotOpen(let path): "cannot read the SMTP server's record file \(path)"
        }
    }
}
