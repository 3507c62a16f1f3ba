#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

/// Every whole-file read of outside input goes through `BoundedFile`: these are the shapes that
/// used to grow the process without bound or hang it (issue 12, finding 5).
@Suite("Bounded file reads")
struct BoundedFileTests {
    /// Peak resident set of this process in KiB (never decreases).
    static func peakKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }

    static func errno(of body: () throws -> Void) -> Int32? {
        do { try body() } catch let error as SystemError { return error.errno } catch { return -1 }
        return nil
    }

    @Test("A missing file fails with ENOENT and names the path")
    func missing() throws {
        let directory = try makeTemporaryDirectory("bounded")
        defer { rmdir(directory) }
        #expect(throws: SystemError(errno: ENOENT, call: "open \(directory)/none")) {
            try BoundedFile.bytes(of: directory + "/none", limit: .max)
        }
    }

    @Test("A file of exactly the limit is read; one byte more is EFBIG before any read")
    func exactLimit() throws {
        let directory = try makeTemporaryDirectory("bounded")
        let path = directory + "/list"
        defer { unlink(path); rmdir(directory) }
        _ = try AtomicFile.write([[UInt8](repeating: 0x61, count: 100)], to: path)
        #expect(try BoundedFile.bytes(of: path, limit: 100).count == 100)
        #expect(Self.errno { _ = try BoundedFile.bytes(of: path, limit: 99) } == EFBIG)
        #expect(try BoundedFile.text(of: path, limit: 1000) == String(repeating: "a", count: 100))
    }

    @Test("A 1 GiB sparse file under a 1 MiB limit is refused without growing the process")
    func sparseGiant() throws {
        let directory = try makeTemporaryDirectory("bounded")
        let path = directory + "/state"
        defer { unlink(path); rmdir(directory) }
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        try #require(ftruncate(fd, 1 << 30) == 0)
        close(fd)
        let before = Self.peakKiB()
        #expect(Self.errno { _ = try BoundedFile.bytes(of: path, limit: 1 << 20) } == EFBIG)
        // Its header alone can still be read, which is what the state-file loader does first.
        let file = try BoundedFile(opening: path, limit: .max)
        #expect(file.size == 1 << 30)
        #expect(try file.read(count: 56, at: 0) == [UInt8](repeating: 0, count: 56))
        #expect(Self.peakKiB() - before < 64 * 1024)
    }

    @Test("Devices, FIFOs and directories are refused at once (EINVAL), never read or waited on")
    func notRegular() throws {
        let directory = try makeTemporaryDirectory("bounded")
        let fifo = directory + "/fifo"
        defer { unlink(fifo); rmdir(directory) }
        try #require(mkfifo(fifo, 0o600) == 0)
        let started = ContinuousClock.now
        for path in ["/dev/zero", "/dev/urandom", fifo, directory] {
            #expect(Self.errno { _ = try BoundedFile.bytes(of: path, limit: 1 << 30) } == EINVAL, "\(path)")
        }
        // A FIFO without a writer would block a plain open(2) forever.
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(Self.describe { _ = try BoundedFile.bytes(of: "/dev/zero", limit: 1) }?.contains("character device") == true)
        #expect(try BoundedFile.bytes(of: "/dev/null", limit: 0) == [], "the null device reads as an empty file")
    }

    static func describe(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }

    @Test("procfs files (size 0 in fstat) are read whole up to the limit, and over it refused")
    func procfs() throws {
        let status = try #require(BoundedFile.systemText(of: "/proc/self/status"))
        #expect(status.contains("VmRSS:"))
        // /proc/self/maps of a Swift test process is far longer than 64 bytes.
        #expect(Self.errno { _ = try BoundedFile.bytes(of: "/proc/self/maps", limit: 64) } == EFBIG)
    }
}
