/// One family's peers in one torrent. Most public-tracker torrents have one or two peers per
/// family, so those are stored inline with no heap allocation (aquatic keeps ≤ 2 inline for the
/// same reason); larger swarms live in the shard's `PeerSlab` behind a 4-byte handle.
/// (`Torrent` stores the IPv4 set unpacked in 28 B; see there.)
enum PeerSet<P: CompactPeer>: Sendable {
    case empty
    case one(P)
    case two(P, P)
    case many(PeerListHandle)

    func count(in slab: PeerSlab<P>) -> Int {
        switch self {
        case .empty: 0
        case .one: 1
        case .two: 2
        case .many(let handle): slab[handle].count
        }
    }

    func seederCount(in slab: PeerSlab<P>) -> Int {
        switch self {
        case .empty: 0
        case .one(let peer): peer.isSeeder ? 1 : 0
        case .two(let first, let second): (first.isSeeder ? 1 : 0) + (second.isSeeder ? 1 : 0)
        case .many(let handle): slab[handle].seeders.count
        }
    }

    /// Whether a peer with `peer`'s endpoint is in the set.
    func contains(_ peer: P, seed: UInt64, in slab: PeerSlab<P>) -> Bool {
        switch self {
        case .empty: false
        case .one(let existing): existing.hasSameEndpoint(as: peer)
        case .two(let first, let second): first.hasSameEndpoint(as: peer) || second.hasSameEndpoint(as: peer)
        case .many(let handle): slab[handle].find(peer, seed: seed) != nil
        }
    }

    /// Inserts or refreshes `peer` (its meta already carries stamp and seeder bit; the completed bit
    /// is set when this announce reports a completion). Reports a first completion, so `downloaded`
    /// counts once per peer, whether the change is worth syncing, and, for a set held as a
    /// `PeerList`, where the peer now is (sampling steps over it there).
    mutating func upsert(_ peer: P, seed: UInt64, in slab: inout PeerSlab<P>) -> UpsertResult {
        var result: UpsertResult
        switch self {
        case .empty:
            self = .one(peer)
            result = .inserted(peer)
        case .one(let existing):
            if existing.hasSameEndpoint(as: peer) {
                self = .one(peer.merged(over: existing))
                result = .updated(peer, over: existing)
            } else {
                self = .two(existing, peer)
                result = .inserted(peer)
            }
        case .two(let first, let second):
            if first.hasSameEndpoint(as: peer) {
                self = .two(peer.merged(over: first), second)
                result = .updated(peer, over: first)
            } else if second.hasSameEndpoint(as: peer) {
                self = .two(first, peer.merged(over: second))
                result = .updated(peer, over: second)
            } else {
                var list = PeerList<P>()
                list.insert(first, seed: seed)
                list.insert(second, seed: seed)
                result = UpsertResult.inserted(peer)
                result.position = list.insert(peer, seed: seed).position
                self = .many(slab.allocate(list))
            }
        case .many(let handle):
            // In place: the slab's array and the list's arrays stay uniquely referenced. The
            // list's upsert reports the counts itself.
            return slab.lists[handle.position].upsert(peer, seed: seed)
        }
        result.familyCount = count(in: slab)
        result.familySeeders = seederCount(in: slab)
        return result
    }

    /// Removes the peer with `peer`'s endpoint. Returns whether it was present.
    mutating func remove(_ peer: P, seed: UInt64, in slab: inout PeerSlab<P>) -> Bool {
        switch self {
        case .empty:
            return false
        case .one(let existing):
            guard existing.hasSameEndpoint(as: peer) else { return false }
            self = .empty
            return true
        case .two(let first, let second):
            if first.hasSameEndpoint(as: peer) {
                self = .one(second)
            } else if second.hasSameEndpoint(as: peer) {
                self = .one(first)
            } else {
                return false
            }
            return true
        case .many(let handle):
            let removed = slab.lists[handle.position].remove(peer, seed: seed)
            settle(handle, in: &slab)
            return removed
        }
    }

    /// Drops peers whose minute stamp is more than `timeoutMinutes` old. Returns how many.
    mutating func expire(now: UInt32, timeoutMinutes: UInt16, seed: UInt64, in slab: inout PeerSlab<P>) -> Int {
        let isExpired = { (peer: P) in
            PeerMeta.isExpired(stamp: peer.minuteStamp, now: now, timeoutMinutes: timeoutMinutes)
        }
        switch self {
        case .empty:
            return 0
        case .one(let peer):
            guard isExpired(peer) else { return 0 }
            self = .empty
            return 1
        case .two(let first, let second):
            switch (isExpired(first), isExpired(second)) {
            case (false, false): return 0
            case (true, false): self = .one(second); return 1
            case (false, true): self = .one(first); return 1
            case (true, true): self = .empty; return 2
            }
        case .many(let handle):
            let removed = slab.lists[handle.position].removeAll(seed: seed, where: isExpired)
            settle(handle, in: &slab)
            return removed
        }
    }

    /// Gives the slab slot back and stores the peers inline once two or fewer are left.
    private mutating func settle(_ handle: PeerListHandle, in slab: inout PeerSlab<P>) {
        guard slab[handle].count <= 2 else { return }
        self = Self(inlining: slab.release(handle))
    }

    /// The inline form of a list of at most two peers, seeders first.
    init(inlining list: PeerList<P>) {
        var first: P?
        var result = Self.empty
        list.forEachPeer { peer in
            if let earlier = first { result = .two(earlier, peer) } else { first = peer; result = .one(peer) }
        }
        self = result
    }

    /// This family's peers moved into a shard: inline when two or fewer, else a new slab slot.
    init(attaching list: PeerList<P>, to slab: inout PeerSlab<P>) {
        self = list.count <= 2 ? Self(inlining: list) : .many(slab.allocate(list))
    }

    /// The slab slot this set owns, if any (to free it with its torrent).
    var handle: PeerListHandle {
        if case .many(let handle) = self { return handle }
        return .none
    }
}

extension PeerList {
    /// Removes the peer with `peer`'s endpoint. Returns whether it was present.
    mutating func remove(_ peer: P, seed: UInt64) -> Bool {
        guard let location = find(peer, seed: seed) else { return false }
        remove(at: location, seed: seed)
        return true
    }
}
