import TrackerProtocol

/// One swarm: a single `downloaded` counter and one peer set per family, under one shard lock.
/// 32 B: up to two IPv4 peers inline, larger IPv4 swarms and every IPv6 swarm in the shard's
/// slabs behind 4-byte handles, so the common torrent allocates nothing.
struct Torrent: Sendable {
    var downloaded: UInt32 = 0
    /// Unix seconds of the last announce; a torrent kept for its `downloaded` count expires from here.
    var lastActivity: UInt32
    /// The IPv6 peers' list in `ShardTorrents.lists6`, or none.
    var peers6: PeerListHandle = .none
    var peers4: PeerSet<Peer4> = .empty

    init(lastActivity: UInt32) {
        self.lastActivity = lastActivity
    }

    func count4(_ lists: PeerLists) -> Int { peers4.count(in: lists.v4) }
    func count6(_ lists: PeerLists) -> Int { peers6.isNone ? 0 : lists.v6[peers6].count }
    func seeders(_ lists: PeerLists) -> Int {
        peers4.seederCount(in: lists.v4) + (peers6.isNone ? 0 : lists.v6[peers6].seeders.count)
    }
    func peerCount(_ lists: PeerLists) -> Int { count4(lists) + count6(lists) }
    func leechers(_ lists: PeerLists) -> Int { peerCount(lists) - seeders(lists) }

    func scrapeCounts(_ lists: PeerLists) -> ScrapeCounts {
        ScrapeCounts(seeders: UInt32(clamping: seeders(lists)), leechers: UInt32(clamping: leechers(lists)),
                     downloaded: downloaded)
    }

    func outcome(peerCount: Int, examined: Int, _ lists: PeerLists) -> AnnounceOutcome {
        AnnounceOutcome(seeders: UInt32(clamping: seeders(lists)), leechers: UInt32(clamping: leechers(lists)),
                        downloaded: downloaded, peerCount: peerCount, examined: examined)
    }

    /// Applies a non-`stopped` announce from an IPv4 peer and writes a sample of IPv4 peers.
    mutating func announce(
        _ peer: Peer4, numWant: Int, now: UInt32, seed: UInt64, lists: inout PeerLists,
        rng: inout Xoshiro256, into span: inout MutableRawSpan, at offset: Int
    ) -> AnnounceOutcome {
        lastActivity = now
        if peers4.upsert(peer, seed: seed, in: &lists.v4) { downloaded &+= 1 }
        let sampled = peers4.sample(for: peer, limit: numWant, in: lists.v4, rng: &rng, into: &span, at: offset)
        return outcome(peerCount: sampled.written, examined: sampled.examined, lists)
    }

    /// Applies a non-`stopped` announce from an IPv6 peer and writes a sample of IPv6 peers.
    mutating func announce(
        _ peer: Peer6, numWant: Int, now: UInt32, seed: UInt64, lists: inout PeerLists,
        rng: inout Xoshiro256, into span: inout MutableRawSpan, at offset: Int
    ) -> AnnounceOutcome {
        lastActivity = now
        if peers6.isNone { peers6 = lists.v6.allocate(PeerList()) }
        if lists.v6.lists[peers6.position].upsert(peer, seed: seed) { downloaded &+= 1 }
        let sampled = lists.v6[peers6].sample(for: peer, limit: numWant, rng: &rng, into: &span, at: offset)
        return outcome(peerCount: sampled.written, examined: sampled.examined, lists)
    }

    /// Applies `stopped`: removes the endpoint from its family and reports counts afterwards.
    mutating func stop(_ endpoint: PeerEndpoint, now: UInt32, seed: UInt64, lists: inout PeerLists) -> AnnounceOutcome {
        switch endpoint.address {
        case .v4(let address):
            _ = peers4.remove(Peer4(address, port: endpoint.port), seed: seed, in: &lists.v4)
        case .v6(let address):
            if !peers6.isNone {
                _ = lists.v6.lists[peers6.position].remove(Peer6(address, port: endpoint.port), seed: seed)
                releaseEmptyIPv6(&lists)
            }
        }
        lastActivity = now
        return outcome(peerCount: 0, examined: 0, lists)
    }

    /// Expires both families. Returns the number of peers removed.
    mutating func expire(now: UInt32, timeoutMinutes: UInt16, seed: UInt64, lists: inout PeerLists) -> Int {
        var removed = peers4.expire(now: now, timeoutMinutes: timeoutMinutes, seed: seed, in: &lists.v4)
        if !peers6.isNone {
            removed += lists.v6.lists[peers6.position].removeAll(seed: seed) { peer in
                PeerMeta.isExpired(stamp: peer.minuteStamp, now: now, timeoutMinutes: timeoutMinutes)
            }
            releaseEmptyIPv6(&lists)
        }
        return removed
    }

    /// An IPv6 list with no peers left gives its slab slot back.
    private mutating func releaseEmptyIPv6(_ lists: inout PeerLists) {
        guard lists.v6[peers6].count == 0 else { return }
        lists.v6.release(peers6)
        peers6 = .none
    }

    /// Frees the slab slots this torrent owns (it is being dropped or replaced).
    func releaseLists(_ lists: inout PeerLists) {
        if !peers4.handle.isNone { lists.v4.release(peers4.handle) }
        if !peers6.isNone { lists.v6.release(peers6) }
    }
}
