import TrackerProtocol

/// One swarm: a single `downloaded` counter and one peer set per family, under one shard lock.
/// 28 B: up to two IPv4 peers inline, larger IPv4 swarms and every IPv6 swarm in the shard's
/// slabs behind handles, so the common torrent allocates nothing. `PeerSet<Peer4>` alone would
/// be 17 B (16 B of peers and a tag byte) and pad the torrent to 32 B, so the tag shares a word
/// with the IPv6 handle instead.
struct Torrent: Sendable {
    var downloaded: UInt32 = 0
    /// Unix seconds of the last announce; a torrent kept for its `downloaded` count expires from here.
    var lastActivity: UInt32
    /// Bits 0–29: the IPv6 list's handle in `ShardTorrents.lists.v6` (0 = none); bits 30–31: the
    /// shape of the IPv4 set (`Shape`).
    private var shapeAndPeers6: UInt32 = 0
    /// `.one`/`.two`: the inline peers; `.many`: `first.address` is the slab handle.
    private var first = Peer4(address: 0, port: 0)
    private var second = Peer4(address: 0, port: 0)

    private enum Shape {
        static let empty: UInt32 = 0
        static let one: UInt32 = 1
        static let two: UInt32 = 2
        static let many: UInt32 = 3
        static let shift: UInt32 = 30
        /// 2^30 − 1 IPv6 lists per shard: far more than a shard's memory could hold.
        static let handleMask: UInt32 = (1 << 30) - 1
    }

    init(lastActivity: UInt32) {
        self.lastActivity = lastActivity
    }

    /// The IPv6 peers' list in the shard's slab, or none.
    var peers6: PeerListHandle {
        get { PeerListHandle(rawValue: shapeAndPeers6 & Shape.handleMask) }
        set {
            precondition(newValue.rawValue <= Shape.handleMask, "IPv6 slab handle out of range")
            shapeAndPeers6 = (shapeAndPeers6 & ~Shape.handleMask) | newValue.rawValue
        }
    }

    var peers4: PeerSet<Peer4> {
        @inline(__always) get {
            switch shapeAndPeers6 >> Shape.shift {
            case Shape.empty: .empty
            case Shape.one: .one(first)
            case Shape.two: .two(first, second)
            default: .many(PeerListHandle(rawValue: first.address))
            }
        }
        @inline(__always) set {
            let shape: UInt32
            switch newValue {
            case .empty:
                shape = Shape.empty
            case .one(let peer):
                shape = Shape.one
                first = peer
            case .two(let peer, let other):
                shape = Shape.two
                first = peer
                second = other
            case .many(let handle):
                shape = Shape.many
                first = Peer4(address: handle.rawValue, port: 0)
            }
            shapeAndPeers6 = (shapeAndPeers6 & Shape.handleMask) | shape << Shape.shift
        }
    }

    @inline(__always) func count4(_ lists: PeerLists) -> Int { peers4.count(in: lists.v4) }
    @inline(__always) func count6(_ lists: PeerLists) -> Int { peers6.isNone ? 0 : lists.v6[peers6].count }
    @inline(__always) func seeders4(_ lists: PeerLists) -> Int { peers4.seederCount(in: lists.v4) }
    @inline(__always) func seeders6(_ lists: PeerLists) -> Int { peers6.isNone ? 0 : lists.v6[peers6].seeders.count }
    @inline(__always) func seeders(_ lists: PeerLists) -> Int { seeders4(lists) + seeders6(lists) }
    @inline(__always) func peerCount(_ lists: PeerLists) -> Int { count4(lists) + count6(lists) }
    @inline(__always) func leechers(_ lists: PeerLists) -> Int { peerCount(lists) - seeders(lists) }

    /// The swarm counted once: seeders, then leechers as the rest.
    @inline(__always) func scrapeCounts(_ lists: PeerLists) -> ScrapeCounts {
        let seeders = seeders(lists)
        return ScrapeCounts(seeders: UInt32(clamping: seeders), leechers: UInt32(clamping: peerCount(lists) - seeders),
                            downloaded: downloaded)
    }

    func outcome(peerCount: Int, examined: Int, _ lists: PeerLists) -> AnnounceOutcome {
        outcome(peerCount: peerCount, examined: examined, seeders: seeders(lists), peers: self.peerCount(lists))
    }

    /// The outcome for swarm totals already known (an announce's upsert reports its family's).
    @inline(__always)
    func outcome(peerCount: Int, examined: Int, seeders: Int, peers: Int) -> AnnounceOutcome {
        AnnounceOutcome(
            seeders: UInt32(clamping: seeders), leechers: UInt32(clamping: peers - seeders), downloaded: downloaded,
            peerCount: peerCount, examined: examined)
    }

    /// Whether the endpoint is already a peer of this torrent.
    func contains(_ endpoint: PeerEndpoint, seed: UInt64, _ lists: PeerLists) -> Bool {
        switch endpoint.address {
        case .v4(let address):
            return peers4.contains(Peer4(address, port: endpoint.port), seed: seed, in: lists.v4)
        case .v6(let address):
            return !peers6.isNone && lists.v6[peers6].find(Peer6(address, port: endpoint.port), seed: seed) != nil
        }
    }

    /// Applies a non-`stopped` announce from an IPv4 peer and writes a sample of IPv4 peers. At
    /// `cap` peers (0: none) a new peer replaces a random one. `added` in the outcome is the change
    /// in this family's peer count (0 or 1), `seederChange` the change in seeders.
    mutating func announce(
        _ peer: Peer4, numWant: Int, cap: Int, now: UInt32, seed: UInt64, lists: inout PeerLists,
        rng: inout Xoshiro256, into span: inout MutableRawSpan, at offset: Int
    ) -> (outcome: AnnounceOutcome, replaced: Bool) {
        lastActivity = now
        var evicted: Peer4?
        // Read-only first: the mutable access to the slab checks that its array is uniquely
        // referenced, a call per announce that only a list at the cap needs.
        if cap > 0, case .many(let handle) = peers4, lists.v4[handle].count >= cap {
            evicted = lists.v4.lists[handle.position].makeRoom(for: peer, cap: cap, seed: seed, rng: &rng)
        }
        let change = peers4.upsert(peer, seed: seed, in: &lists.v4)
        if change.completedNow { downloaded &+= 1 }
        let sampled = peers4.sample(for: peer, at: change.position, limit: numWant, in: lists.v4, rng: &rng, into: &span, at: offset)
        let other = (count: count6(lists), seeders: seeders6(lists))
        return applied(change, evicted: evicted, sampled: sampled, otherFamily: other, lists, now: now)
    }

    /// Applies a non-`stopped` announce from an IPv6 peer and writes a sample of IPv6 peers (as above).
    mutating func announce(
        _ peer: Peer6, numWant: Int, cap: Int, now: UInt32, seed: UInt64, lists: inout PeerLists,
        rng: inout Xoshiro256, into span: inout MutableRawSpan, at offset: Int
    ) -> (outcome: AnnounceOutcome, replaced: Bool) {
        lastActivity = now
        if peers6.isNone { peers6 = lists.v6.allocate(PeerList()) }
        let evicted = cap > 0 ? lists.v6.lists[peers6.position].makeRoom(for: peer, cap: cap, seed: seed, rng: &rng) : nil
        let change = lists.v6.lists[peers6.position].upsert(peer, seed: seed)
        if change.completedNow { downloaded &+= 1 }
        let sampled = lists.v6[peers6].sample(for: peer, at: change.position, limit: numWant, rng: &rng, into: &span, at: offset)
        let other = (count: count4(lists), seeders: seeders4(lists))
        return applied(change, evicted: evicted, sampled: sampled, otherFamily: other, lists, now: now)
    }

    /// The outcome of an applied announce. The upsert reports its family's counts after the
    /// change (the eviction came before it), so only the other family is looked up.
    private func applied<P: CompactPeer>(
        _ change: UpsertResult, evicted: P?, sampled: (written: Int, examined: Int),
        otherFamily other: (count: Int, seeders: Int), _ lists: PeerLists, now: UInt32
    ) -> (outcome: AnnounceOutcome, replaced: Bool) {
        let seeders = change.familySeeders + other.seeders
        let peers = change.familyCount + other.count
        assert(seeders == self.seeders(lists) && peers == peerCount(lists), "the upsert's counts disagree with the swarm")
        var result = outcome(peerCount: sampled.written, examined: sampled.examined, seeders: seeders, peers: peers)
        if let stamp = change.previousStamp { result.renewedAfterMinutes = PeerMeta.age(of: stamp, now: now) }
        // An eviction made room for a new peer: no net change in the family's count.
        result.added = (change.isInsertion ? 1 : 0) - (evicted == nil ? 0 : 1)
        result.seederChange = change.seederChange - (evicted?.isSeeder == true ? 1 : 0)
        result.worthSyncing = change.worthSyncing
        return (result, evicted != nil)
    }

    /// Applies `stopped`: removes the endpoint from its family and reports counts afterwards.
    mutating func stop(_ endpoint: PeerEndpoint, now: UInt32, seed: UInt64, lists: inout PeerLists) -> AnnounceOutcome {
        var removed = false
        switch endpoint.address {
        case .v4(let address):
            removed = peers4.remove(Peer4(address, port: endpoint.port), seed: seed, in: &lists.v4)
        case .v6(let address):
            if !peers6.isNone {
                removed = lists.v6.lists[peers6.position].remove(Peer6(address, port: endpoint.port), seed: seed)
                releaseEmptyIPv6(&lists)
            }
        }
        lastActivity = now
        var result = outcome(peerCount: 0, examined: 0, lists)
        // Only a stop that removed a peer is synced: stops for unknown peers cost the cluster nothing.
        result.worthSyncing = removed
        return result
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
