/// One family's peers in one torrent. Most public-tracker torrents have a single peer per family,
/// so that case is stored inline with no heap allocation (aquatic keeps ≤ 2 inline for the same reason).
enum PeerSet<P: CompactPeer>: Sendable {
    case empty
    case one(P)
    case many(PeerList<P>)

    var count: Int {
        switch self {
        case .empty: 0
        case .one: 1
        case .many(let list): list.count
        }
    }

    var seederCount: Int {
        switch self {
        case .empty: 0
        case .one(let peer): peer.isSeeder ? 1 : 0
        case .many(let list): list.seeders.count
        }
    }

    var leecherCount: Int { count - seederCount }

    /// Inserts or refreshes `peer` (its meta already carries stamp and seeder bit; the completed bit
    /// is set when this announce reports a completion). Returns true when the peer completes for the
    /// first time, so `downloaded` counts once per peer.
    mutating func upsert(_ peer: P, hashSeed: UInt64) -> Bool {
        switch self {
        case .empty:
            self = .one(peer)
            return peer.hasCompleted
        case .one(let existing):
            if existing.hasSameEndpoint(as: peer) {
                var merged = peer
                if existing.hasCompleted { merged.meta |= PeerMeta.completedBit }
                self = .one(merged)
                return peer.hasCompleted && !existing.hasCompleted
            }
            var list = PeerList<P>(hashSeed: hashSeed)
            list.insert(existing)
            list.insert(peer)
            self = .many(list)
            return peer.hasCompleted
        case .many(var list):
            self = .empty    // drop our reference so `list` mutates its arrays in place
            defer { self = .many(list) }
            guard let location = list.find(peer) else {
                list.insert(peer)
                return peer.hasCompleted
            }
            let existing = list[location]
            var merged = peer
            if existing.hasCompleted { merged.meta |= PeerMeta.completedBit }
            list.update(at: location, with: merged)
            return peer.hasCompleted && !existing.hasCompleted
        }
    }

    /// Removes the peer with `peer`'s endpoint. Returns whether it was present.
    mutating func remove(_ peer: P) -> Bool {
        switch self {
        case .empty:
            return false
        case .one(let existing):
            guard existing.hasSameEndpoint(as: peer) else { return false }
            self = .empty
            return true
        case .many(var list):
            guard let location = list.find(peer) else { return false }
            self = .empty
            list.remove(at: location)
            settle(list)
            return true
        }
    }

    /// Drops peers whose minute stamp is more than `timeoutMinutes` old. Returns how many.
    mutating func expire(now: UInt32, timeoutMinutes: UInt16) -> Int {
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
        case .many(var list):
            self = .empty
            let removed = list.removeAll(where: isExpired)
            settle(list)
            return removed
        }
    }

    /// Stores `list` back, or its single peer inline when only one is left.
    private mutating func settle(_ list: PeerList<P>) {
        switch list.count {
        case 0: self = .empty
        case 1: self = .one(list.seeders.first ?? list.leechers[0])
        default: self = .many(list)
        }
    }
}
