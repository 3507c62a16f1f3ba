import TrackerProtocol

extension TorrentStore {
    /// Encodes one shard for a snapshot: `copyForSnapshot` under the shard lock, then encoding and
    /// the checksum with no lock held. No I/O ever happens here.
    public func encodeSnapshotBlock(shard: Int, now: UInt32) -> SnapshotBlock {
        copyForSnapshot(shard: shard).encode(now: now)
    }

    /// The only locked step of a snapshot: copies the shard's torrents out, resolving slab handles
    /// (one value copy per torrent and a retain per out-of-line peer list, about 20–50 ns per
    /// torrent). The slabs themselves are not shared with the copy, so a worker that announces into
    /// a swarm whose list is still shared pays a one-off copy-on-write of that list only.
    public func copyForSnapshot(shard: Int) -> SnapshotShardCopy {
        let torrents = shards[shard].torrents.withLock { torrents in
            var copy: [(key: InfoHash, value: DetachedTorrent)] = []
            copy.reserveCapacity(torrents.count)
            torrents.table.forEach { hash, torrent in copy.append((hash, torrents.detached(torrent))) }
            return copy
        }
        return SnapshotShardCopy(index: shard, torrents: torrents)
    }

    @inline(__always)
    static func writeSnapshotRecord(
        _ hash: InfoHash, _ torrent: DetachedTorrent, now: UInt32, into span: inout MutableSpan<UInt8>, at offset: inout Int
    ) {
        // `InfoHash.write` wants a MutableRawSpan, which a pure module cannot make safely.
        for (index, byte) in hash.bytes.enumerated() { span[offset + index] = byte }
        WireBytes.store(torrent.downloaded, into: &span, at: offset + 20)
        WireBytes.store(torrent.lastActivity, into: &span, at: offset + 24)
        WireBytes.store(UInt32(truncatingIfNeeded: torrent.count4), into: &span, at: offset + 28)
        WireBytes.store(UInt32(truncatingIfNeeded: torrent.count6), into: &span, at: offset + 32)
        var position = offset + SnapshotFormat.torrentRecordSize
        torrent.forEachPeer4 { peer in
            WireBytes.store(peer.address, into: &span, at: position)
            WireBytes.store(peer.port, into: &span, at: position + 4)
            WireBytes.store(PeerMeta.snapshotMeta(peer.meta, now: now), into: &span, at: position + 6)
            position += SnapshotFormat.peer4RecordSize
        }
        torrent.list6.forEachPeer { peer in
            WireBytes.store(peer.a0, into: &span, at: position)
            WireBytes.store(peer.a1, into: &span, at: position + 4)
            WireBytes.store(peer.a2, into: &span, at: position + 8)
            WireBytes.store(peer.a3, into: &span, at: position + 12)
            WireBytes.store(peer.port, into: &span, at: position + 16)
            WireBytes.store(PeerMeta.snapshotMeta(peer.meta, now: now), into: &span, at: position + 18)
            position += SnapshotFormat.peer6RecordSize
        }
        offset = position
    }

    /// Every block of a snapshot plus header and trailer, in file order. Shards are locked one at a
    /// time; between shards workers run freely.
    public func encodeSnapshot(now: UInt32) -> [[UInt8]] {
        SnapshotEncoder.parts(shardCount: shardCount, created: now) { encodeSnapshotBlock(shard: $0, now: now) }
    }

    /// Stores decoded torrents, taking each target shard's lock once. The snapshot's shard count may
    /// differ from this store's, so each torrent is re-sharded by its info_hash. A torrent already
    /// present is replaced (loading happens into an empty store at start-up).
    func insertSnapshotTorrents(_ staged: [(hash: InfoHash, torrent: DetachedTorrent)]) {
        guard let first = staged.first else { return }
        let firstShard = shardIndex(for: first.hash)
        let totals = self.totals
        /// Inserts under the lock and keeps the store's totals (a replaced torrent's peers leave them).
        func insert(_ entries: [(hash: InfoHash, torrent: DetachedTorrent)], into torrents: inout ShardTorrents) {
            let before = torrents.count
            var peers4 = 0
            var peers6 = 0
            for entry in entries {
                if let slot = torrents.table.slot(of: entry.hash) {
                    peers4 -= torrents.table[slot: slot].count4(torrents.lists)
                    peers6 -= torrents.table[slot: slot].count6(torrents.lists)
                }
                torrents.insert(entry.hash, entry.torrent)
                peers4 += entry.torrent.count4
                peers6 += entry.torrent.count6
            }
            totals.add(torrents: torrents.count - before, peers4: peers4, peers6: peers6)
        }
        if staged.allSatisfy({ shardIndex(for: $0.hash) == firstShard }) {
            shards[firstShard].torrents.withLock { torrents in
                torrents.table.reserveCapacity(torrents.count + staged.count)
                insert(staged, into: &torrents)
            }
            return
        }
        var groups: [Int: [(hash: InfoHash, torrent: DetachedTorrent)]] = [:]
        for entry in staged { groups[shardIndex(for: entry.hash), default: []].append(entry) }
        for (shard, entries) in groups {
            shards[shard].torrents.withLock { torrents in insert(entries, into: &torrents) }
        }
    }
}
