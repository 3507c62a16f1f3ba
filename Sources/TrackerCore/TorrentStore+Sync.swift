import TrackerProtocol

extension TorrentStore {
    /// Applies a peer change received from a cluster node to the same shard a local announce of it
    /// would use, so the peer is sampled, counted and expired exactly like a local one. No peers
    /// are sampled and nothing is queued for sync again (a received change never echoes).
    /// A `completed` entry counts once per peer, as a local completion does.
    public func applySynced(_ entry: LivesyncEntry, now: UInt32) {
        let hashSeed = self.hashSeed
        let totals = self.totals
        if entry.flags.contains(.stopped) {
            withLockedShard(for: entry.infoHash) { torrents in
                _ = Self.stop(
                    entry.infoHash, endpoint: entry.endpoint, now: now, seed: hashSeed, totals: totals, in: &torrents)
            }
            return
        }
        let isSeeder = entry.flags.contains(.seeding)
        let meta = PeerMeta.make(
            stamp: PeerMeta.minuteStamp(now), isSeeder: isSeeder,
            hasCompleted: entry.flags.contains(.completed) && isSeeder)
        withLockedShard(for: entry.infoHash) { torrents in
            // Received peers count in the totals (and so against the limits of local announces)
            // like local ones; the sending node has already applied its own limits to them.
            let torrentsBefore = torrents.count
            let slot = torrents.table.slot(for: entry.infoHash, insertingIfAbsent: Torrent(lastActivity: now))
            let before = torrents.table[slot: slot]
            let (before4, before6) = (before.count4(torrents.lists), before.count6(torrents.lists))
            let seedersBefore = before.seeders(torrents.lists)
            switch entry.endpoint.address {
            case .v4(let address):
                torrents.table[slot: slot].applySynced(
                    Peer4(address, port: entry.endpoint.port, meta: meta), now: now, seed: hashSeed, lists: &torrents.lists)
            case .v6(let address):
                torrents.table[slot: slot].applySynced(
                    Peer6(address, port: entry.endpoint.port, meta: meta), now: now, seed: hashSeed, lists: &torrents.lists)
            }
            let after = torrents.table[slot: slot]
            torrents.seeders += after.seeders(torrents.lists) - seedersBefore
            totals.add(
                torrents: torrents.count - torrentsBefore, peers4: after.count4(torrents.lists) - before4,
                peers6: after.count6(torrents.lists) - before6)
        }
    }
}

extension Torrent {
    mutating func applySynced(_ peer: Peer4, now: UInt32, seed: UInt64, lists: inout PeerLists) {
        lastActivity = now
        if peers4.upsert(peer, seed: seed, in: &lists.v4).completedNow { downloaded &+= 1 }
    }

    mutating func applySynced(_ peer: Peer6, now: UInt32, seed: UInt64, lists: inout PeerLists) {
        lastActivity = now
        if peers6.isNone { peers6 = lists.v6.allocate(PeerList()) }
        if lists.v6.lists[peers6.position].upsert(peer, seed: seed).completedNow { downloaded &+= 1 }
    }
}
