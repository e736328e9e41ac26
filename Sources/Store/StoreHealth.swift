import Foundation
import Synchronization

/// What a query cannot show about the store's health: whether the database file at its
/// path is still the one the store opened, and whether the last commit failed.
///
/// A file removed or replaced under a running hub (a clean-up script, a restore copied over
/// it) keeps serving from the open descriptor while nothing it writes can be found again; a
/// full or failing disk lets reads succeed while every commit fails. Readiness must fail in
/// both cases (``SQLiteStore/checkHealth()``).
final class StoreHealth: Sendable {
    /// A file's device and inode: what stays the same while it is the same file.
    private struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    private let path: String
    private let opened: FileIdentity?
    private let isCommitFailing = Mutex(false)

    /// Remembers the identity of the file at `path`, just opened.
    init(path: String) {
        self.path = path
        self.opened = Self.identity(of: path)
    }

    /// Records a commit's outcome: a failure holds until a later commit succeeds.
    func recordCommit(succeeded: Bool) {
        isCommitFailing.withLock { $0 = !succeeded }
    }

    /// Whether the last commit failed (no later one succeeded).
    var lastCommitFailed: Bool { isCommitFailing.withLock { $0 } }

    /// Whether the file at the store's path is no longer the one it opened.
    var isFileReplaced: Bool {
        guard let opened else { return true }
        return Self.identity(of: path) != opened
    }

    private static func identity(of path: String) -> FileIdentity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }
}
