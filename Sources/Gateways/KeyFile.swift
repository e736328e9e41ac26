import Foundation

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why ``loadOrCreateKey(at:fresh:validLengths:)`` could not give a key.
package enum KeyFileFailure: Error, Sendable {
    /// No file was there and none could be written.
    case cannotWrite
    /// A file is there but cannot be read.
    case cannotRead
    /// The file does not hold base64 of a valid length.
    case invalid
}

/// The key kept at `path` as base64 text: the one already there, or `fresh`, written with
/// ``createKeyFile(at:contents:)`` when no file is there (mode 0600, whole or not at all).
/// Surrounding whitespace in the file is ignored.
package func loadOrCreateKey(
    at path: String, fresh: [UInt8], validLengths: some RangeExpression<Int>
) throws(KeyFileFailure) -> [UInt8] {
    switch createKeyFile(at: path, contents: Array((Data(fresh).base64EncodedString() + "\n").utf8)) {
    case .created:
        return fresh
    case .failed:
        throw .cannotWrite
    case .exists:
        guard let contents = FileManager.default.contents(atPath: path) else { throw .cannotRead }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Data(base64Encoded: text), validLengths.contains(key.count) else { throw .invalid }
        return Array(key)
    }
}

/// What `createKeyFile(at:contents:)` did.
package enum KeyFileCreation: Sendable {
    /// The file is new and holds the contents given.
    case created
    /// A file was already there; it was left as it was.
    case exists
    /// The file could not be written; nothing was left at the path.
    case failed
}

/// Creates the secret file `path` holding `contents`, with mode 0600, unless a file is
/// already there; the file and its directory entry are synced before `.created` returns.
///
/// The file appears whole or not at all: `contents` go to a temporary file beside `path`
/// (`O_CREAT | O_EXCL`, mode 0600, synced) that is then hard-linked to `path`, and linking
/// fails with `EEXIST` when another process got there first. So of processes racing on one
/// path exactly one gets `.created`, the others `.exists`, and none can read a partly
/// written file. No file is ever readable by others, whatever the umask.
///
/// On a file system without hard links the file is created in place, still exclusively
/// (one process wins), but a racing reader could then see it partly written.
///
/// - Important: the directory must exist. A process killed mid-way may leave a
///   `<path>.tmp-<uuid>` file, never a partial `path`.
package func createKeyFile(at path: String, contents: [UInt8]) -> KeyFileCreation {
    if access(path, F_OK) == 0 { return .exists }
    let temporary = path + ".tmp-" + UUID().uuidString
    defer { unlink(temporary) }
    guard writeSyncedFile(at: temporary, contents: contents) == .created else { return .failed }
    let created: KeyFileCreation
    if link(temporary, path) == 0 {
        created = .created
    } else if errno == EEXIST {
        return .exists
    } else {
        created = writeSyncedFile(at: path, contents: contents)
    }
    if created == .created { syncDirectory(of: path) }
    return created
}

/// Creates `path` exclusively with mode 0600, writes all of `contents` and syncs them. A
/// file it created but could not complete is removed.
private func writeSyncedFile(at path: String, contents: [UInt8]) -> KeyFileCreation {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return errno == EEXIST ? .exists : .failed }
    var offset = 0
    var complete = true
    while offset < contents.count {
        let written = contents[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            complete = false
            break
        }
        offset += written
    }
    complete = complete && fsync(descriptor) == 0
    close(descriptor)
    if !complete { unlink(path) }
    return complete ? .created : .failed
}

/// Syncs the directory holding `path`, so a new entry in it survives a crash. Best effort:
/// the file is already in place, and some file systems cannot sync a directory.
private func syncDirectory(of path: String) {
    let directory = (path as NSString).deletingLastPathComponent
    let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
}
