/// Collects per-shard blocks and produces the file in order: header, blocks, trailer.
///
/// The header carries totals, so it is built last; the caller writes `finish()`'s arrays in order
/// (they are what `AtomicFile.write` takes). Blocks are kept as they came: no payload is copied.
public struct SnapshotEncoder: Sendable {
    public let shardCount: Int
    public let created: UInt32
    public private(set) var torrents = 0
    public private(set) var peers4 = 0
    public private(set) var peers6 = 0
    private var blocks: [[UInt8]] = []

    public init(shardCount: Int, created: UInt32) {
        self.shardCount = shardCount
        self.created = created
        blocks.reserveCapacity(shardCount)
    }

    /// Blocks must come in shard order, one per shard.
    public mutating func append(_ block: SnapshotBlock) {
        precondition(block.index == blocks.count, "snapshot blocks out of order")
        torrents += block.torrents
        peers4 += block.peers4
        peers6 += block.peers6
        blocks.append(block.bytes)
    }

    public var header: SnapshotHeader {
        SnapshotHeader(created: UInt64(created), shardCount: shardCount, torrents: torrents, peers4: peers4, peers6: peers6)
    }

    /// Header, every block, trailer. Precondition: one block per shard was appended.
    public consuming func finish() -> [[UInt8]] {
        precondition(blocks.count == shardCount, "snapshot needs one block per shard")
        let headerBytes = header.bytes
        var fileCRC = CRC32C()
        fileCRC.update(headerBytes)
        for block in blocks {
            fileCRC.update(block.span, from: 0, to: SnapshotFormat.blockHeaderSize)
        }
        var trailer = SnapshotFormat.trailerMagic
        let value = fileCRC.value
        trailer += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                    UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        var parts: [[UInt8]] = []
        parts.reserveCapacity(blocks.count + 2)
        parts.append(headerBytes)
        parts.append(contentsOf: blocks)
        parts.append(trailer)
        return parts
    }
}
