#if canImport(Glibc)
import Glibc
#endif

/// The one way RingTracker reads a whole file of outside input (config, access lists, the state
/// file, a statedump, key files, procfs/sysfs): bounded before the read starts.
///
/// The file is opened without blocking (a FIFO named by mistake must not hang the start), checked
/// with `fstat` to be a regular file (`/dev/zero`, a FIFO, a socket or a directory is refused with
/// EINVAL; `/dev/null` reads as empty), and refused with EFBIG when its size is over the caller's limit. The read itself is
/// capped too: procfs reports size 0, and a file may grow after `fstat`, so more than `limit` bytes
/// read is EFBIG as well. Nothing larger than the limit (plus one 64 KiB step) is ever held.
public struct BoundedFile: ~Copyable {
    public let path: String
    /// The size `fstat` reported when the file was opened (0 for procfs and sysfs files).
    public let size: Int
    public let limit: Int
    private let descriptor: Int32

    public init(opening path: String, limit: Int) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw SystemError(errno: Glibc.errno, call: "open \(path)") }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let error = Glibc.errno
            close(fd)
            throw SystemError(errno: error, call: "fstat \(path)")
        }
        guard status.st_mode & S_IFMT == S_IFREG || Self.isNullDevice(status) else {
            close(fd)
            throw SystemError(errno: EINVAL, call: "\(path) is not a regular file (\(Self.kind(status.st_mode)))")
        }
        let size = Int(status.st_size)
        guard size <= limit else {
            close(fd)
            throw SystemError(errno: EFBIG, call: "\(path) is \(size) bytes, more than the \(limit) allowed")
        }
        self.path = path
        self.size = size
        self.limit = limit
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes from `offset` (fewer only at end of file).
    public func read(count: Int, at offset: Int) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(count, 0))
        var filled = 0
        while filled < bytes.count {
            let start = filled
            // SAFETY: pread writes at most `storage.count - start` bytes at `baseAddress + start`,
            // inside the array's own storage, which is not resized during the call.
            let got = bytes.withUnsafeMutableBytes { storage in
                pread(descriptor, storage.baseAddress.map { $0 + start }, storage.count - start, off_t(offset + start))
            }
            if got < 0 {
                if Glibc.errno == EINTR { continue }
                throw SystemError(errno: Glibc.errno, call: "read \(path)")
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// The whole file: one read of exactly `size` bytes in the common case, then 64 KiB steps for a
    /// file without a size (procfs) or one that grew, never past `limit`.
    public func readAll() throws(SystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        var step = min(size, limit) + 1
        while true {
            let chunk = try read(count: step, at: bytes.count)
            bytes.append(contentsOf: chunk)
            guard bytes.count <= limit else {
                throw SystemError(errno: EFBIG, call: "\(path) grew past the \(limit) bytes allowed")
            }
            if chunk.count < step { return bytes }
            step = min(64 * 1024, limit - bytes.count + 1)
        }
    }

    /// The whole file's bytes (see `init(opening:limit:)` for what is refused).
    public static func bytes(of path: String, limit: Int) throws(SystemError) -> [UInt8] {
        try BoundedFile(opening: path, limit: limit).readAll()
    }

    /// The whole file as UTF-8 text, invalid bytes repaired.
    public static func text(of path: String, limit: Int) throws(SystemError) -> String {
        String(decoding: try bytes(of: path, limit: limit), as: UTF8.self)
    }

    /// Small kernel-made text files (procfs, sysfs): 1 MiB is far above any the tracker reads.
    public static func systemText(of path: String) -> String? {
        try? text(of: path, limit: 1 << 20)
    }

    /// `/dev/null` (character device 1:3) reads as an empty file: `-f /dev/null` is a common way to
    /// say "no config file", and opentracker accepts it.
    static func isNullDevice(_ status: stat) -> Bool {
        // glibc's makedev(1, 3): minor in bits 0-7, major in bits 8-19 (and above 32 for large numbers).
        status.st_mode & S_IFMT == S_IFCHR && status.st_rdev == 0x103
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
