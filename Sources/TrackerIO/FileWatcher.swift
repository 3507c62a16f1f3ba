#if canImport(Glibc)
import Glibc
#endif

/// Tells when one file (an access list) was replaced or rewritten, via inotify on its directory:
/// editors and `mv new list` replace the file by renaming over it, which a watch on the file itself
/// would lose (the watch follows the old inode).
///
/// Reports `IN_CLOSE_WRITE` (a writer finished) and `IN_MOVED_TO` (renamed into place) for the
/// file name, never `IN_CREATE` or `IN_MODIFY`: those fire while the file is still half written,
/// and parsing a half-written whitelist would deny every torrent past the cut.
///
/// A class rather than a `~Copyable` struct so a reload thread's `@Sendable` closure can own it;
/// only one thread may call `pollChanged` at a time. The descriptor is closed on deinit.
public final class FileWatcher: Sendable {
    public let path: String
    let directory: String
    let fileName: String
    let descriptor: Int32

    /// Mask: complete writes and renames into the directory.
    static let events = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)

    public init(path: String) throws(SystemError) {
        self.path = path
        if let slash = path.lastIndex(of: "/") {
            let directoryPart = path[..<slash]
            directory = directoryPart.isEmpty ? "/" : String(directoryPart)
            fileName = String(path[path.index(after: slash)...])
        } else {
            directory = "."
            fileName = path
        }
        guard !fileName.isEmpty else { throw SystemError(errno: EINVAL, call: "watch \(path): not a file name") }
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SystemError(errno: Glibc.errno, call: "inotify_init1") }
        guard inotify_add_watch(fd, directory, Self.events) >= 0 else {
            let error = Glibc.errno
            close(fd)
            throw SystemError(errno: error, call: "inotify_add_watch(\(directory))")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Waits up to `timeoutMilliseconds` (0 = just check) and drains every pending event; true if
    /// any of them was about the watched file. Several writes coalesce into one `true`.
    public func pollChanged(timeoutMilliseconds: Int32) -> Bool {
        var pending = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pending, 1, timeoutMilliseconds)
        guard ready > 0 else { return false }
        var changed = false
        // Room for many events: each is 16 bytes plus a NAME_MAX-bounded, padded name.
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            // SAFETY: read writes at most `storage.count` bytes into the array's own storage.
            let count = buffer.withUnsafeMutableBytes { storage in read(descriptor, storage.baseAddress, storage.count) }
            if count < 0 && Glibc.errno == EINTR { continue }
            guard count > 0 else { break }
            if Self.events(in: buffer, count: count, mention: fileName) { changed = true }
        }
        return changed
    }

    /// Walks `struct inotify_event { int wd; uint32_t mask, cookie, len; char name[len]; }` records.
    static func events(in buffer: [UInt8], count: Int, mention name: String) -> Bool {
        let wanted = Array(name.utf8)
        let headerSize = 16
        var offset = 0
        var found = false
        while offset + headerSize <= count {
            let nameLength = Int(UInt32(buffer[offset + 12]) | UInt32(buffer[offset + 13]) << 8
                | UInt32(buffer[offset + 14]) << 16 | UInt32(buffer[offset + 15]) << 24)  // little-endian host (x86-64, arm64)
            let nameStart = offset + headerSize
            let nameEnd = min(nameStart + nameLength, count)
            var end = nameStart
            while end < nameEnd && buffer[end] != 0 { end += 1 }
            if Array(buffer[nameStart..<end]) == wanted { found = true }
            offset = nameStart + nameLength
        }
        return found
    }
}
