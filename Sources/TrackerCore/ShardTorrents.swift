import TrackerProtocol

/// Everything one shard lock protects: the torrent table and the slabs its large swarms live in.
struct ShardTorrents: Sendable {
    var table: TorrentTable
    var lists = PeerLists()
    /// Seeding peers in this shard, both families: kept exact by every operation that changes a
    /// swarm (under this lock, a plain add), so `/stats` and `/metrics` read it instead of walking
    /// the torrents. Torrent and peer counts are in `StoreTotals`.
    var seeders = 0

    init(tableKey: TorrentTable.Key) {
        table = TorrentTable(key: tableKey)
    }

    var count: Int { table.count }

    /// Removes the torrent in `slot` and frees its slab slots.
    mutating func remove(atSlot slot: Int) {
        seeders -= table[slot: slot].seeders(lists)
        table[slot: slot].releaseLists(&lists)
        table.remove(atSlot: slot)
    }

    /// Removes (freeing their slab slots) the torrents `shouldRemove` returns true for, after it
    /// has updated each in place. Returns the number removed.
    mutating func removeAll(where shouldRemove: (InfoHash, inout Torrent, inout PeerLists) -> Bool) -> Int {
        var seederChange = 0
        let removed = table.removeAll(context: &lists) { hash, torrent, lists in
            let before = torrent.seeders(lists)
            guard shouldRemove(hash, &torrent, &lists) else {
                seederChange += torrent.seeders(lists) - before
                return false
            }
            seederChange -= before
            torrent.releaseLists(&lists)
            return true
        }
        seeders += seederChange
        return removed
    }

    /// Stores a torrent decoded from a snapshot, replacing (and freeing) one already present.
    mutating func insert(_ hash: InfoHash, _ detached: DetachedTorrent) {
        var torrent = Torrent(lastActivity: detached.lastActivity)
        torrent.downloaded = detached.downloaded
        let slot = table.slot(for: hash, insertingIfAbsent: torrent)
        seeders -= table[slot: slot].seeders(lists)
        table[slot: slot].releaseLists(&lists)
        torrent.peers4 = PeerSet(attaching: detached.list4, to: &lists.v4)
        if detached.list6.count > 0 { torrent.peers6 = lists.v6.allocate(detached.list6) }
        table[slot: slot] = torrent
        seeders += torrent.seeders(lists)
    }

    /// A self-contained copy of one torrent (a retain per out-of-line list), for snapshots.
    func detached(_ torrent: Torrent) -> DetachedTorrent {
        var copy = DetachedTorrent(downloaded: torrent.downloaded, lastActivity: torrent.lastActivity)
        copy.inline4 = torrent.peers4
        if case .many(let handle) = torrent.peers4 {
            copy.inline4 = .empty
            copy.list4 = lists.v4[handle]
        }
        if !torrent.peers6.isNone { copy.list6 = lists.v6[torrent.peers6] }
        return copy
    }
}

/// A torrent outside any shard (a snapshot copy, or one being decoded): its peers held directly,
/// with no slab handles. `inline4` is never `.many`; IPv4 peers are `inline4`'s then `list4`'s.
struct DetachedTorrent: Sendable {
    var downloaded: UInt32
    var lastActivity: UInt32
    var inline4: PeerSet<Peer4> = .empty
    var list4 = PeerList<Peer4>()
    var list6 = PeerList<Peer6>()

    init(downloaded: UInt32, lastActivity: UInt32) {
        self.downloaded = downloaded
        self.lastActivity = lastActivity
    }

    var count4: Int {
        switch inline4 {
        case .empty, .many: list4.count
        case .one: 1 + list4.count
        case .two: 2 + list4.count
        }
    }
    var count6: Int { list6.count }

    func forEachPeer4(_ body: (Peer4) -> Void) {
        inline4.forEachInlinePeer(body)
        list4.forEachPeer(body)
    }
}
