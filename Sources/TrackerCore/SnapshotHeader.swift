import TrackerProtocol

/// The fixed-size first part of a snapshot file (see `SnapshotFormat`).
public struct SnapshotHeader: Sendable, Equatable {
    public var version: UInt32
    /// Reserved; version 1 writes 0 and refuses anything else.
    public var flags: UInt32
    /// Unix seconds at which the snapshot's peer ages were taken.
    public var created: UInt64
    public var shardCount: Int
    public var torrents: Int
    public var peers4: Int
    public var peers6: Int

    public init(version: UInt32 = SnapshotFormat.version, flags: UInt32 = 0, created: UInt64,
                shardCount: Int, torrents: Int, peers4: Int, peers6: Int) {
        self.version = version
        self.flags = flags
        self.created = created
        self.shardCount = shardCount
        self.torrents = torrents
        self.peers4 = peers4
        self.peers6 = peers6
    }

    /// The 56 header bytes, checksum included.
    public var bytes: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: SnapshotFormat.headerSize)
        do {
            var span = bytes.mutableSpan
            for (index, byte) in SnapshotFormat.magic.enumerated() { span[index] = byte }
            WireBytes.store(version, into: &span, at: 8)
            WireBytes.store(flags, into: &span, at: 12)
            WireBytes.store(created, into: &span, at: 16)
            WireBytes.store(UInt32(truncatingIfNeeded: shardCount), into: &span, at: 24)
            WireBytes.store(UInt64(truncatingIfNeeded: torrents), into: &span, at: 28)
            WireBytes.store(UInt64(truncatingIfNeeded: peers4), into: &span, at: 36)
            WireBytes.store(UInt64(truncatingIfNeeded: peers6), into: &span, at: 44)
        }
        var crc = CRC32C()
        crc.update(bytes.span, from: 0, to: SnapshotFormat.headerSize - 4)
        let value = crc.value
        do {
            var span = bytes.mutableSpan
            WireBytes.store(value, into: &span, at: SnapshotFormat.headerSize - 4)
        }
        return bytes
    }

    /// Reads and checks magic, version, checksum and ranges, in that order, so a foreign file is
    /// named as such before any checksum talk.
    public init(parsing bytes: Span<UInt8>) throws(SnapshotError) {
        let magic = SnapshotFormat.magic
        let prefix = min(bytes.count, magic.count)
        for index in 0..<prefix where bytes[index] != magic[index] { throw .notASnapshot }
        guard bytes.count >= SnapshotFormat.headerSize else {
            throw .truncated(expected: SnapshotFormat.headerSize, actual: bytes.count)
        }
        version = WireBytes.uint32(bytes, at: 8)
        guard version == SnapshotFormat.version else { throw .unsupportedVersion(version) }
        var crc = CRC32C()
        crc.update(bytes, from: 0, to: SnapshotFormat.headerSize - 4)
        guard crc.value == WireBytes.uint32(bytes, at: SnapshotFormat.headerSize - 4) else {
            throw .checksumMismatch(block: nil)
        }
        flags = WireBytes.uint32(bytes, at: 12)
        guard flags == 0 else { throw .malformed("unknown header flags 0x\(String(flags, radix: 16))") }
        created = WireBytes.uint64(bytes, at: 16)
        let shards = WireBytes.uint32(bytes, at: 24)
        guard shards >= 1, Int(shards) <= SnapshotFormat.maximumShards else {
            throw .malformed("shard count \(shards) outside 1…\(SnapshotFormat.maximumShards)")
        }
        shardCount = Int(shards)
        // Counts larger than Int.max cannot match any file that fits in memory.
        let torrents = WireBytes.uint64(bytes, at: 28)
        let peers4 = WireBytes.uint64(bytes, at: 36)
        let peers6 = WireBytes.uint64(bytes, at: 44)
        let limit = UInt64(Int32.max) * 64
        guard torrents < limit, peers4 < limit, peers6 < limit else { throw .malformed("impossible record counts") }
        self.torrents = Int(torrents)
        self.peers4 = Int(peers4)
        self.peers6 = Int(peers6)
    }

    /// The exact size of the file this header describes: header, one block header per shard, the
    /// records, the trailer. A loader compares it with the file's size before reading the rest, so
    /// a damaged or crafted file costs one 56-byte read, not a read of the whole file. The counts
    /// are below 2^37 (checked above), so the sum cannot overflow.
    public var fileSize: Int {
        SnapshotFormat.headerSize + shardCount * SnapshotFormat.blockHeaderSize
            + torrents * SnapshotFormat.torrentRecordSize + peers4 * SnapshotFormat.peer4RecordSize
            + peers6 * SnapshotFormat.peer6RecordSize + SnapshotFormat.trailerSize
    }
}

