#if canImport(Glibc)
import Glibc
#endif

/// A named pipe that tools write lines into (opentracker 1.0's `access.fifo_add` /
/// `access.fifo_delete`): created if absent, opened once (before any privilege drop) and read for
/// the life of the process.
///
/// The reader also holds a write end of its own, so the pipe never reports end-of-file between
/// writers and `poll` only wakes when bytes arrive. Lines are returned whole: a partial line waits
/// for its newline; a line longer than `maximumLineBytes` is discarded up to its newline (input is
/// bounded before it is held). Writers that write whole lines of at most PIPE_BUF (4,096) bytes are
/// never interleaved with other writers (POSIX), so `echo HASH > fifo` from many scripts is safe.
///
/// A class so a thread's `@Sendable` closure can own it; only one thread may call `readLines`.
public final class FIFOReader: @unchecked Sendable {
    /// 40 hex digits plus a title is far below this; anything longer is not a list line.
    public static let maximumLineBytes = 4096
    /// Bytes taken per call, so one busy writer cannot stall the caller's other work.
    public static let maximumBatchBytes = 1 << 20

    public let path: String
    private let readDescriptor: Int32
    private let writeDescriptor: Int32
    /// Bytes of a line whose newline has not arrived yet. Only the reading thread touches it.
    private var partial: [UInt8] = []
    private var discarding = false

    /// Creates the FIFO (mode 0600: a line read by anyone else is a line lost) when `path` does
    /// not exist; refuses a path that exists and is not a FIFO.
    public init(path: String) throws(SystemError) {
        self.path = path
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFIFO else {
                throw SystemError(errno: EEXIST, call: "fifo \(path): exists and is not a FIFO")
            }
        } else {
            guard Glibc.errno == ENOENT else { throw SystemError(errno: Glibc.errno, call: "stat \(path)") }
            guard mkfifo(path, 0o600) == 0 || Glibc.errno == EEXIST else {
                throw SystemError(errno: Glibc.errno, call: "mkfifo \(path)")
            }
        }
        let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard reader >= 0 else { throw SystemError(errno: Glibc.errno, call: "open \(path)") }
        let writer = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard writer >= 0 else {
            let error = Glibc.errno
            close(reader)
            throw SystemError(errno: error, call: "open \(path) for writing")
        }
        readDescriptor = reader
        writeDescriptor = writer
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Waits up to `timeoutMilliseconds` until any of `readers` has bytes; true if one has.
    public static func wait(for readers: [FIFOReader], timeoutMilliseconds: Int32) -> Bool {
        var pending = readers.map { pollfd(fd: $0.readDescriptor, events: Int16(POLLIN), revents: 0) }
        return poll(&pending, nfds_t(pending.count), timeoutMilliseconds) > 0
    }

    /// Waits up to `timeoutMilliseconds` for bytes and returns the complete lines that arrived
    /// (without their newlines), at most `maximumBatchBytes` worth per call.
    public func readLines(timeoutMilliseconds: Int32) -> [[UInt8]] {
        var pending = pollfd(fd: readDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&pending, 1, timeoutMilliseconds) > 0 else { return [] }
        var lines: [[UInt8]] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var taken = 0
        while taken < Self.maximumBatchBytes {
            // SAFETY: read writes at most `storage.count` bytes into the chunk's own storage.
            let count = chunk.withUnsafeMutableBytes { storage in read(readDescriptor, storage.baseAddress, storage.count) }
            if count < 0 && Glibc.errno == EINTR { continue }
            guard count > 0 else { break }
            taken += count
            for byte in chunk[0..<count] {
                if byte == UInt8(ascii: "\n") {
                    if !discarding { lines.append(partial) }
                    partial.removeAll(keepingCapacity: true)
                    discarding = false
                } else if !discarding {
                    if partial.count == Self.maximumLineBytes {
                        partial.removeAll(keepingCapacity: true)
                        discarding = true
                    } else {
                        partial.append(byte)
                    }
                }
            }
        }
        return lines
    }
}
