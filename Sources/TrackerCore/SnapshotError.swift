/// Why a snapshot file was refused. Nothing is inserted into the store when any of these is thrown:
/// the whole file is validated first.
public enum SnapshotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not start with the snapshot magic: another program's file, or a wrong path.
    case notASnapshot
    /// A snapshot written by a newer (or unknown) format version.
    case unsupportedVersion(UInt32)
    /// The file ends before the structure it announces (a partial copy, a full disk).
    case truncated(expected: Int, actual: Int)
    /// Stored and computed CRC-32C differ; `block` is nil for the header or the whole-file trailer.
    case checksumMismatch(block: Int?)
    /// Checksums match but the structure is inconsistent (a bug or a crafted file).
    case malformed(String)

    public var description: String {
        switch self {
        case .notASnapshot:
            "not a RingTracker snapshot (bad magic)"
        case .unsupportedVersion(let version):
            "unsupported snapshot format version \(version) (this build reads version \(SnapshotFormat.version))"
        case .truncated(let expected, let actual):
            "truncated snapshot: needs at least \(expected) bytes, file has \(actual)"
        case .checksumMismatch(let block?):
            "snapshot checksum mismatch in block \(block): the file is corrupt"
        case .checksumMismatch(nil):
            "snapshot checksum mismatch in the header or trailer: the file is corrupt"
        case .malformed(let reason):
            "malformed snapshot: \(reason)"
        }
    }
}
