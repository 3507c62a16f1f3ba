import TrackerProtocol

/// One shard's torrents copied out of the store for a snapshot, so encoding runs with no lock held.
public struct SnapshotShardCopy: Sendable {
    public let index: Int
    let torrents: [(key: InfoHash, value: DetachedTorrent)]

    init(index: Int, torrents: [(key: InfoHash, value: DetachedTorrent)]) {
        self.index = index
        self.torrents = torrents
    }

    public var torrentCount: Int { torrents.count }

    /// Compact records with peer ages taken at `now`, block header and checksum included.
    public func encode(now: UInt32) -> SnapshotBlock {
        var peers4 = 0
        var peers6 = 0
        for entry in torrents {
            peers4 += entry.value.count4
            peers6 += entry.value.count6
        }
        let size = SnapshotFormat.blockHeaderSize + torrents.count * SnapshotFormat.torrentRecordSize
            + peers4 * SnapshotFormat.peer4RecordSize + peers6 * SnapshotFormat.peer6RecordSize
        var bytes = [UInt8](repeating: 0, count: size)
        do {
            var span = bytes.mutableSpan
            var offset = SnapshotFormat.blockHeaderSize
            for entry in torrents {
                TorrentStore.writeSnapshotRecord(entry.key, entry.value, now: now, into: &span, at: &offset)
            }
        }
        return SnapshotBlock(index: index, torrents: torrents.count, peers4: peers4, peers6: peers6,
                             bytes: SnapshotBlock.sealed(bytes, index: index, torrents: torrents.count))
    }
}
