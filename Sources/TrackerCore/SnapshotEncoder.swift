/// Counts per-shard blocks as they are written and produces the header and trailer that frame them.
///
/// The header carries totals, so it is known only after the last block: a file writer reserves
/// `SnapshotFormat.headerSize` bytes, writes each block's bytes as `add` returns them, then the
/// trailer, then the header over the reserved bytes. Only the blocks' 16-byte headers are kept (the
/// file checksum covers them), so a whole snapshot is never held in memory at once.
public struct SnapshotEncoder: Sendable {
    public let shardCount: Int
    public let created: UInt32
    public private(set) var torrents = 0
    public private(set) var peers4 = 0
    public private(set) var peers6 = 0
    private var blockCount = 0
    /// Every added block's header, in order: the input of the file checksum after the file header.
    private var blockHeaders: [UInt8] = []

    public init(shardCount: Int, created: UInt32) {
        self.shardCount = shardCount
        self.created = created
        blockHeaders.reserveCapacity(shardCount * SnapshotFormat.blockHeaderSize)
    }

    /// Blocks must come in shard order, one per shard. Returns the block's bytes, which follow the
    /// previous block's in the file.
    public mutating func add(_ block: consuming SnapshotBlock) -> [UInt8] {
        precondition(block.index == blockCount, "snapshot blocks out of order")
        torrents += block.torrents
        peers4 += block.peers4
        peers6 += block.peers6
        blockCount += 1
        blockHeaders.append(contentsOf: block.bytes[0..<SnapshotFormat.blockHeaderSize])
        return block.bytes
    }

    public var header: SnapshotHeader {
        SnapshotHeader(created: UInt64(created), shardCount: shardCount, torrents: torrents, peers4: peers4, peers6: peers6)
    }

    /// The file's last bytes: magic and CRC-32C over the file header and every block header.
    /// Precondition: one block per shard was added.
    public func trailer() -> [UInt8] {
        precondition(blockCount == shardCount, "snapshot needs one block per shard")
        var fileCRC = CRC32C()
        fileCRC.update(header.bytes)
        fileCRC.update(blockHeaders)
        let value = fileCRC.value
        return SnapshotFormat.trailerMagic
            + [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
               UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// A whole snapshot in memory, in file order (header, blocks, trailer), for callers that send
    /// or check it whole; the state file is written block by block instead.
    public static func parts(shardCount: Int, created: UInt32, block: (Int) -> SnapshotBlock) -> [[UInt8]] {
        var encoder = SnapshotEncoder(shardCount: shardCount, created: created)
        var parts: [[UInt8]] = [[]]
        parts.reserveCapacity(shardCount + 2)
        for shard in 0..<shardCount { parts.append(encoder.add(block(shard))) }
        parts[0] = encoder.header.bytes
        parts.append(encoder.trailer())
        return parts
    }
}
