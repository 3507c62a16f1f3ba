import TrackerProtocol

extension TorrentStore {
    /// Updates the swarm and writes up to `numWant` compact peers of the requester's family into
    /// `peers` from byte `offset` (6 B per IPv4 peer, 18 B per IPv6 peer, network order). Never
    /// writes past the span: the count is also limited by the room left.
    public func announce(
        _ announce: Announce, from endpoint: PeerEndpoint, now: UInt32,
        rng: inout Xoshiro256, peers: inout MutableRawSpan, at offset: Int
    ) -> AnnounceOutcome {
        let room = max(0, peers.byteCount - offset)
        let stamp = PeerMeta.minuteStamp(now)
        // opentracker ignores `completed` from a peer that still has bytes left.
        let completes = announce.event == .completed && announce.isSeeder
        let meta = PeerMeta.make(stamp: stamp, isSeeder: announce.isSeeder, hasCompleted: completes)
        let hashSeed = self.hashSeed

        if announce.event == .stopped {
            return withLockedShard(for: announce.infoHash) { torrents in
                Self.stop(announce.infoHash, endpoint: endpoint, now: now, seed: hashSeed, totals: totals, in: &torrents)
            }
        }
        // Read once per announce, outside the lock: a relaxed load of three counters only when a
        // memory cap is set.
        let memoryFull = limits.maxMemoryBytes > 0 && totals.estimatedBytes > limits.maxMemoryBytes
        let cap = limits.maxPeersPerTorrent
        let outcome = withLockedShard(for: announce.infoHash) { torrents -> AnnounceOutcome in
            let slot: Int
            if let existing = torrents.table.slot(of: announce.infoHash) {
                slot = existing
                if memoryFull, !torrents.table[slot: existing].contains(endpoint, seed: hashSeed, torrents.lists) {
                    return refuse(.memoryLimit)
                }
            } else {
                if let refusal = admitNewTorrent(for: endpoint.address, now: now, memoryFull: memoryFull) {
                    return refuse(refusal)
                }
                slot = torrents.table.slot(for: announce.infoHash, insertingIfAbsent: Torrent(lastActivity: now))
                totals.add(torrents: 1)
            }
            let result: (outcome: AnnounceOutcome, replaced: Bool)
            switch endpoint.address {
            case .v4(let address):
                let limit = min(max(announce.numWant, 0), room / Peer4.compactSize)
                result = torrents.table[slot: slot].announce(
                    Peer4(address, port: endpoint.port, meta: meta), numWant: limit, cap: cap, now: now,
                    seed: hashSeed, lists: &torrents.lists, rng: &rng, into: &peers, at: offset)
                if result.outcome.added != 0 { totals.add(peers4: result.outcome.added) }
            case .v6(let address):
                let limit = min(max(announce.numWant, 0), room / Peer6.compactSize)
                result = torrents.table[slot: slot].announce(
                    Peer6(address, port: endpoint.port, meta: meta), numWant: limit, cap: cap, now: now,
                    seed: hashSeed, lists: &torrents.lists, rng: &rng, into: &peers, at: offset)
                if result.outcome.added != 0 { totals.add(peers6: result.outcome.added) }
            }
            if result.replaced { totals.countReplacement() }
            torrents.seeders += result.outcome.seederChange
            return result.outcome
        }
        // Decoys go after the real peers, outside the shard lock.
        let decoys = configuration.decoys
        guard outcome.refusal == nil else { return outcome }
        switch endpoint.address {
        case .v4:
            let limit = min(max(announce.numWant, 0), room / Peer4.compactSize)
            return Self.addingDecoys(to: outcome, limit: limit, ipv6: false, decoys, rng: &rng, peers: &peers, at: offset) {
                decoys.ipv4Peer(&$0)
            }
        case .v6:
            let limit = min(max(announce.numWant, 0), room / Peer6.compactSize)
            return Self.addingDecoys(to: outcome, limit: limit, ipv6: true, decoys, rng: &rng, peers: &peers, at: offset) {
                decoys.ipv6Peer(&$0)
            }
        }
    }

    /// Writes the policy's decoys after the real peers (outside the shard lock) and counts them.
    private static func addingDecoys<P: CompactPeer>(
        to outcome: AnnounceOutcome, limit: Int, ipv6: Bool, _ decoys: DecoyPolicy, rng: inout Xoshiro256,
        peers: inout MutableRawSpan, at offset: Int, _ make: (inout Xoshiro256) -> P
    ) -> AnnounceOutcome {
        let count = decoys.count(real: outcome.peerCount, room: limit - outcome.peerCount, ipv6: ipv6)
        guard count > 0 else { return outcome }
        var outcome = outcome
        for index in 0..<count {
            make(&rng).writeCompact(into: &peers, at: offset + (outcome.peerCount + index) * P.compactSize)
        }
        outcome.peerCount += count
        outcome.decoys = count
        return outcome
    }

    /// Checks the limits a new torrent must pass; nil admits it (and takes from the network's
    /// budget). Called under the target shard's lock, only for an info_hash the store lacks.
    private func admitNewTorrent(for address: PeerAddress, now: UInt32, memoryFull: Bool) -> AnnounceRefusal? {
        if limits.maxTorrents > 0, totals.torrentCount >= limits.maxTorrents { return .torrentLimit }
        if memoryFull { return .memoryLimit }
        if let budget = newTorrentBudget, !budget.take(address.networkKey, now: now) { return .newTorrentRate }
        return nil
    }

    private func refuse(_ reason: AnnounceRefusal) -> AnnounceOutcome {
        totals.count(reason)
        return .refused(reason)
    }

    /// `stopped`: remove the peer, write no peers, report counts after removal. An unknown hash
    /// stays unknown.
    static func stop(
        _ infoHash: InfoHash, endpoint: PeerEndpoint, now: UInt32, seed: UInt64, totals: StoreTotals,
        in torrents: inout ShardTorrents
    ) -> AnnounceOutcome {
        guard let slot = torrents.table.slot(of: infoHash) else {
            return AnnounceOutcome(seeders: 0, leechers: 0, downloaded: 0, peerCount: 0)
        }
        let before = torrents.table[slot: slot]
        let (before4, before6) = (before.count4(torrents.lists), before.count6(torrents.lists))
        let seedersBefore = before.seeders(torrents.lists)
        let outcome = torrents.table[slot: slot].stop(endpoint, now: now, seed: seed, lists: &torrents.lists)
        // An emptied torrent without downloads is gone at once; one with downloads is kept for
        // the cleaner's retention rule.
        let torrent = torrents.table[slot: slot]
        torrents.seeders += torrent.seeders(torrents.lists) - seedersBefore
        totals.add(peers4: torrent.count4(torrents.lists) - before4, peers6: torrent.count6(torrents.lists) - before6)
        if torrent.peerCount(torrents.lists) == 0 && torrent.downloaded == 0 {
            torrents.remove(atSlot: slot)
            totals.add(torrents: -1)
        }
        return outcome
    }
}
