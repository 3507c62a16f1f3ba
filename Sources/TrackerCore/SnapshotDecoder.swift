import TrackerProtocol

/// Reads a snapshot file into a store. The whole file is validated first (magic, version, sizes,
/// every block checksum, record structure, totals, the trailer checksum); only then is anything
/// inserted, so a refused file leaves the store exactly as it was.
public enum SnapshotDecoder {
    /// Where one validated block lies in the file.
    struct BlockLayout {
        var payloadStart: Int
        var payloadEnd: Int
        var torrents: Int
    }

    /// Checks the whole file without touching any store; returns its header.
    @discardableResult
    public static func validate(_ bytes: Span<UInt8>) throws(SnapshotError) -> SnapshotHeader {
        try layout(bytes).header
    }

    public static func load(bytes: [UInt8], into store: TorrentStore, now: UInt32) throws(SnapshotError) -> SnapshotLoadReport {
        try load(bytes.span, into: store, now: now)
    }

    /// Validates, then inserts block by block (one staging array per block, one lock per target
    /// shard). Peers older than the store's peer timeout at `now` are discarded; a torrent left
    /// without peers is kept only if it has downloads within `completedTorrentRetention`.
    public static func load(_ bytes: Span<UInt8>, into store: TorrentStore, now: UInt32) throws(SnapshotError) -> SnapshotLoadReport {
        let (header, blocks) = try layout(bytes)
        var report = SnapshotLoadReport(created: header.created)
        let created = UInt32(clamping: header.created)
        // Minutes between the snapshot and now; a snapshot from the future (clock stepped back) is 0.
        let elapsed = now / 60 >= created / 60 ? now / 60 - created / 60 : 0
        let context = DecodeContext(
            now: now, elapsedMinutes: elapsed, timeoutMinutes: UInt32(store.timeoutMinutes),
            retention: store.configuration.completedTorrentRetention, hashSeed: store.hashSeed)
        var staged: [(hash: InfoHash, torrent: DetachedTorrent)] = []
        for block in blocks {
            staged.removeAll(keepingCapacity: true)
            staged.reserveCapacity(block.torrents)
            var offset = block.payloadStart
            for _ in 0..<block.torrents {
                if let entry = decodeTorrent(bytes, at: &offset, context: context, report: &report) {
                    staged.append(entry)
                }
            }
            store.insertSnapshotTorrents(staged)
        }
        return report
    }

    struct DecodeContext {
        var now: UInt32
        var elapsedMinutes: UInt32
        var timeoutMinutes: UInt32
        var retention: UInt32
        var hashSeed: UInt64
    }

    /// One validated torrent record; nil when nothing of it is worth keeping.
    private static func decodeTorrent(
        _ bytes: Span<UInt8>, at offset: inout Int, context: DecodeContext, report: inout SnapshotLoadReport
    ) -> (hash: InfoHash, torrent: DetachedTorrent)? {
        let hash = InfoHash(bytes, at: offset)
        var torrent = DetachedTorrent(downloaded: WireBytes.uint32(bytes, at: offset + 20),
                                      lastActivity: WireBytes.uint32(bytes, at: offset + 24))
        let count4 = Int(WireBytes.uint32(bytes, at: offset + 28))
        let count6 = Int(WireBytes.uint32(bytes, at: offset + 32))
        var position = offset + SnapshotFormat.torrentRecordSize
        for _ in 0..<count4 {
            let stored = WireBytes.uint16(bytes, at: position + 6)
            if let meta = restore(stored, context: context) {
                let peer = Peer4(address: WireBytes.uint32(bytes, at: position),
                                 port: WireBytes.uint16(bytes, at: position + 4), meta: meta)
                _ = torrent.list4.upsert(peer, seed: context.hashSeed)
            } else {
                report.peersExpired += 1
            }
            position += SnapshotFormat.peer4RecordSize
        }
        for _ in 0..<count6 {
            let stored = WireBytes.uint16(bytes, at: position + 18)
            if let meta = restore(stored, context: context) {
                let address = IPv6Address(high: WireBytes.uint64(bytes, at: position),
                                          low: WireBytes.uint64(bytes, at: position + 8))
                let peer = Peer6(address, port: WireBytes.uint16(bytes, at: position + 16), meta: meta)
                _ = torrent.list6.upsert(peer, seed: context.hashSeed)
            } else {
                report.peersExpired += 1
            }
            position += SnapshotFormat.peer6RecordSize
        }
        offset = position
        if torrent.count4 + torrent.count6 == 0 {
            let idle = context.now >= torrent.lastActivity ? context.now - torrent.lastActivity : 0
            if torrent.downloaded == 0 || idle > context.retention {
                report.torrentsDropped += 1
                return nil
            }
        }
        report.torrents += 1
        report.peers4 += torrent.count4
        report.peers6 += torrent.count6
        return (hash, torrent)
    }

    /// The in-memory meta for a stored peer, or nil when it is older than the timeout now.
    @inline(__always)
    private static func restore(_ stored: UInt16, context: DecodeContext) -> UInt16? {
        let age = context.elapsedMinutes &+ UInt32(stored & SnapshotFormat.ageMask)
        guard age >= context.elapsedMinutes, age <= context.timeoutMinutes else { return nil }
        return PeerMeta.restoredMeta(stored, totalAge: age, now: context.now)
    }

    /// Validates everything and returns where each block's payload lies.
    static func layout(_ bytes: Span<UInt8>) throws(SnapshotError) -> (header: SnapshotHeader, blocks: [BlockLayout]) {
        let header = try SnapshotHeader(parsing: bytes)
        let total = bytes.count
        var fileCRC = CRC32C()
        fileCRC.update(bytes, from: 0, to: SnapshotFormat.headerSize)
        var blocks: [BlockLayout] = []
        blocks.reserveCapacity(header.shardCount)
        var offset = SnapshotFormat.headerSize
        var torrents = 0
        var peers4 = 0
        var peers6 = 0
        for index in 0..<header.shardCount {
            let payloadStart = offset + SnapshotFormat.blockHeaderSize
            guard payloadStart <= total else { throw .truncated(expected: payloadStart, actual: total) }
            let length = Int(WireBytes.uint32(bytes, at: offset + 8))
            let payloadEnd = payloadStart + length
            guard payloadEnd <= total else { throw .truncated(expected: payloadEnd, actual: total) }
            guard SnapshotBlock.checksum(bytes, at: offset, payloadLength: length) == WireBytes.uint32(bytes, at: offset + 12) else {
                throw .checksumMismatch(block: index)
            }
            guard Int(WireBytes.uint32(bytes, at: offset)) == index else {
                throw .malformed("block \(index) is labelled \(WireBytes.uint32(bytes, at: offset))")
            }
            let count = Int(WireBytes.uint32(bytes, at: offset + 4))
            let walked = try walk(bytes, block: index, torrents: count, from: payloadStart, to: payloadEnd)
            torrents += count
            peers4 += walked.peers4
            peers6 += walked.peers6
            fileCRC.update(bytes, from: offset, to: payloadStart)
            blocks.append(BlockLayout(payloadStart: payloadStart, payloadEnd: payloadEnd, torrents: count))
            offset = payloadEnd
        }
        let trailerEnd = offset + SnapshotFormat.trailerSize
        guard trailerEnd <= total else { throw .truncated(expected: trailerEnd, actual: total) }
        for (index, byte) in SnapshotFormat.trailerMagic.enumerated() where bytes[offset + index] != byte {
            throw .malformed("no trailer after the last block")
        }
        guard fileCRC.value == WireBytes.uint32(bytes, at: offset + 8) else { throw .checksumMismatch(block: nil) }
        guard trailerEnd == total else { throw .malformed("\(total - trailerEnd) bytes after the trailer") }
        guard torrents == header.torrents, peers4 == header.peers4, peers6 == header.peers6 else {
            throw .malformed("header totals do not match the blocks")
        }
        return (header, blocks)
    }

    /// Checks that `torrents` records exactly fill the payload; returns the peer counts.
    private static func walk(
        _ bytes: Span<UInt8>, block: Int, torrents: Int, from start: Int, to end: Int
    ) throws(SnapshotError) -> (peers4: Int, peers6: Int) {
        var offset = start
        var peers4 = 0
        var peers6 = 0
        for _ in 0..<torrents {
            guard end - offset >= SnapshotFormat.torrentRecordSize else {
                throw .malformed("block \(block): torrent record overruns the block")
            }
            let count4 = Int(WireBytes.uint32(bytes, at: offset + 28))
            let count6 = Int(WireBytes.uint32(bytes, at: offset + 32))
            offset += SnapshotFormat.torrentRecordSize
                + count4 * SnapshotFormat.peer4RecordSize + count6 * SnapshotFormat.peer6RecordSize
            guard offset <= end else { throw .malformed("block \(block): peer records overrun the block") }
            peers4 += count4
            peers6 += count6
        }
        guard offset == end else { throw .malformed("block \(block): \(end - offset) unused bytes") }
        return (peers4, peers6)
    }
}
