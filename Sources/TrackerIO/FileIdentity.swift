#if canImport(Glibc)
import Glibc
#endif

/// A file's device and inode numbers: what systemd's `JOURNAL_STREAM` names ("DEVICE:INODE"), so
/// the daemon can tell whether its stderr really is the journal's stream (systemd.exec(5)).
public struct FileIdentity: Equatable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// fstat(2) of an open descriptor; nil when it is closed.
    public static func of(descriptor: Int32) -> FileIdentity? {
        var status = stat()
        guard (try? systemCallValue("fstat") { fstat(descriptor, &status) }) != nil else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }
}
