import TrackerProtocol

extension TorrentStore {
    /// Encodes one shard for a snapshot: `copyForSnapshot` under the shard lock, then encoding and
    /// the checksum with no lock held. No I/O ever happens here.
    public func encodeSnapshotBlock(shard: Int, now: UInt32) -> SnapshotBlock {
        copyForSnapshot(shard: shard).encode(now: now)
    }

    /// The only locked step of a snapshot: copies the shard's torrents out (one value copy and a
    /// retain per peer list, about 20–50 ns per torrent). A worker that announces into a swarm whose
    /// peer list is still shared with the copy pays a one-off copy-on-write of that list.
    public func copyForSnapshot(shard: Int) -> SnapshotShardCopy {
        let torrents = shards[shard].torrents.withLock { torrents in Array(torrents) }
        return SnapshotShardCopy(index: shard, torrents: torrents)
    }

    @inline(__always)
    static func writeSnapshotRecord(
        _ hash: InfoHash, _ torrent: Torrent, now: UInt32, into span: inout MutableSpan<UInt8>, at offset: inout Int
    ) {
        // `InfoHash.write` wants a MutableRawSpan, which a pure module cannot make safely.
        for (index, byte) in hash.bytes.enumerated() { span[offset + index] = byte }
        SnapshotBytes.store(torrent.downloaded, into: &span, at: offset + 20)
        SnapshotBytes.store(torrent.lastActivity, into: &span, at: offset + 24)
        SnapshotBytes.store(UInt32(truncatingIfNeeded: torrent.peers4.count), into: &span, at: offset + 28)
        SnapshotBytes.store(UInt32(truncatingIfNeeded: torrent.peers6.count), into: &span, at: offset + 32)
        var position = offset + SnapshotFormat.torrentRecordSize
        torrent.peers4.forEachPeer { peer in
            SnapshotBytes.store(peer.address, into: &span, at: position)
            SnapshotBytes.store(peer.port, into: &span, at: position + 4)
            SnapshotBytes.store(PeerMeta.snapshotMeta(peer.meta, now: now), into: &span, at: position + 6)
            position += SnapshotFormat.peer4RecordSize
        }
        torrent.peers6.forEachPeer { peer in
            SnapshotBytes.store(peer.a0, into: &span, at: position)
            SnapshotBytes.store(peer.a1, into: &span, at: position + 4)
            SnapshotBytes.store(peer.a2, into: &span, at: position + 8)
            SnapshotBytes.store(peer.a3, into: &span, at: position + 12)
            SnapshotBytes.store(peer.port, into: &span, at: position + 16)
            SnapshotBytes.store(PeerMeta.snapshotMeta(peer.meta, now: now), into: &span, at: position + 18)
            position += SnapshotFormat.peer6RecordSize
        }
        offset = position
    }

    /// Every block of a snapshot plus header and trailer, in file order. Shards are locked one at a
    /// time; between shards workers run freely.
    public func encodeSnapshot(now: UInt32) -> [[UInt8]] {
        var encoder = SnapshotEncoder(shardCount: shardCount, created: now)
        for shard in 0..<shardCount { encoder.append(encodeSnapshotBlock(shard: shard, now: now)) }
        return encoder.finish()
    }

    /// Stores decoded torrents, taking each target shard's lock once. The snapshot's shard count may
    /// differ from this store's, so each torrent is re-sharded by its info_hash. A torrent already
    /// present is replaced (loading happens into an empty store at start-up).
    func insertSnapshotTorrents(_ staged: [(hash: InfoHash, torrent: Torrent)]) {
        guard let first = staged.first else { return }
        let firstShard = shardIndex(for: first.hash)
        if staged.allSatisfy({ shardIndex(for: $0.hash) == firstShard }) {
            shards[firstShard].torrents.withLock { torrents in
                torrents.reserveCapacity(torrents.count + staged.count)
                for entry in staged { torrents[entry.hash] = entry.torrent }
            }
            return
        }
        var groups: [Int: [(hash: InfoHash, torrent: Torrent)]] = [:]
        for entry in staged { groups[shardIndex(for: entry.hash), default: []].append(entry) }
        for (shard, entries) in groups {
            shards[shard].torrents.withLock { torrents in
                for entry in entries { torrents[entry.hash] = entry.torrent }
            }
        }
    }
}
