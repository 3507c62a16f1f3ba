#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so that a reader (or a restart after `kill -9` or a power cut) sees either the
/// whole old file or the whole new one, never a mix: write a private temporary in the same
/// directory, fsync it, rename it over the target, fsync the directory so the rename itself is
/// durable (ext4/xfs need the directory fsync; see rename(2) and the LWN "ext4 and data loss" story).
public enum AtomicFile {
    /// Writes `blocks` in order to `path`. The temporary is `path.tmp-<pid>`: one writer per process,
    /// and a stale one left by a killed process is simply truncated by the next write.
    public static func write(_ blocks: [[UInt8]], to path: String) throws(SystemError) -> Int {
        let file = try Writer(replacing: path)
        for block in blocks { try file.append(block) }
        return try file.commit()
    }

    /// A replacement written piece by piece, so a large file (a state snapshot) never has to be held
    /// in memory whole: `append` pieces in order, `overwrite` bytes already written (a header whose
    /// totals are known only at the end), then `commit` (fsync, rename over `path`, fsync the
    /// directory). Dropped without a commit, or after a failed step, the temporary is removed and
    /// `path` is untouched.
    public final class Writer {
        public let path: String
        let temporary: String
        private var fd: Int32
        private var committed = false
        /// Bytes appended so far.
        public private(set) var size = 0

        public init(replacing path: String) throws(SystemError) {
            self.path = path
            let temporary = "\(path).tmp-\(getpid())"
            self.temporary = temporary
            fd = try systemCallValue("open") { open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600) }
        }

        public func append(_ bytes: [UInt8]) throws(SystemError) {
            size += try AtomicFile.writeAll(fd, bytes, at: nil)
        }

        /// Replaces bytes already appended; the file does not grow.
        public func overwrite(_ bytes: [UInt8], at offset: Int) throws(SystemError) {
            precondition(offset >= 0 && offset + bytes.count <= size, "overwrite past the written bytes")
            _ = try AtomicFile.writeAll(fd, bytes, at: offset)
        }

        /// Makes the written bytes the file at `path`; returns their count.
        public func commit() throws(SystemError) -> Int {
            precondition(!committed && fd >= 0, "AtomicFile.Writer committed twice")
            _ = try systemCallValue("fsync") { fsync(fd) }
            // A failed close after a successful fsync loses nothing; it is still reported.
            let closed = close(fd)
            fd = -1
            if closed != 0 { throw SystemError(errno: Glibc.errno, call: "close") }
            _ = try systemCallValue("rename") { rename(temporary, path) }
            committed = true
            try AtomicFile.syncDirectory(of: path)
            return size
        }

        deinit {
            if fd >= 0 { close(fd) }
            if !committed { unlink(temporary) }
        }
    }

    /// Renames a file that could not be used to `path.corrupt-<unix time>` (never deletes it, never
    /// overwrites an earlier one) and returns the new name, or nil if the rename failed.
    public static func moveAside(_ path: String) -> String? {
        let stamp = time(nil)
        for attempt in 0..<100 {
            let target = attempt == 0 ? "\(path).corrupt-\(stamp)" : "\(path).corrupt-\(stamp)-\(attempt)"
            var status = stat()
            // lstat failing with ENOENT means the name is free; anything else: try the next name.
            if lstat(target, &status) == 0 { continue }
            if Glibc.errno != ENOENT { continue }
            if rename(path, target) == 0 { return target }
            return nil
        }
        return nil
    }

    /// Deletes `path.tmp-<pid>` files left by writers that were killed mid-write (their process no
    /// longer exists), so crashes do not pile up snapshot-sized files. Returns the names removed.
    /// The target itself and anything not matching exactly that pattern are never touched.
    public static func removeStaleTemporaries(of path: String) -> [String] {
        let (directory, name) = split(path)
        let prefix = name + ".tmp-"
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var stale: [String] = []
        while let entry = readdir(stream) {
            // SAFETY: d_name is a NUL-terminated char array inside the dirent readdir just returned,
            // valid until the next readdir on this stream; it is copied into a String at once.
            let entryName = withUnsafePointer(to: &entry.pointee.d_name) { field in
                field.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: field.pointee)) {
                    String(cString: $0)
                }
            }
            guard entryName.hasPrefix(prefix) else { continue }
            let digits = entryName.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let pid = Int32(digits) else { continue }
            // kill(pid, 0) fails with ESRCH only when no such process exists.
            if pid == getpid() || kill(pid, 0) == 0 || Glibc.errno != ESRCH { continue }
            stale.append(directory == "." ? entryName : "\(directory == "/" ? "" : directory)/\(entryName)")
        }
        return stale.filter { unlink($0) == 0 }
    }

    /// `write(2)` (or `pwrite(2)` at `offset`) until every byte is out: a regular file may still
    /// return short counts (signals, RLIMIT_FSIZE, a nearly full disk), and EINTR is retried by
    /// `systemCall`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int? = nil) throws(SystemError) -> Int {
        var done = 0
        while done < bytes.count {
            let start = done
            // SAFETY: write reads at most `storage.count - start` bytes from inside the array's storage.
            let count = try systemCallValue("write") {
                bytes.withUnsafeBytes { storage in
                    let pointer = storage.baseAddress.map { $0 + start }
                    if let offset { return pwrite(fd, pointer, storage.count - start, off_t(offset + start)) }
                    return Glibc.write(fd, pointer, storage.count - start)
                }
            }
            if count == 0 { throw SystemError(errno: EIO, call: "write") }
            done += count
        }
        return done
    }

    /// (directory, file name) of a path; "." when it has no slash.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    static func syncDirectory(of path: String) throws(SystemError) {
        let directory = split(path).directory
        let fd = try systemCallValue("open directory") { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        _ = try systemCallValue("fsync directory") { fsync(fd) }
    }
}
