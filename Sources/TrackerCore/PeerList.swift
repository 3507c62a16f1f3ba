/// A swarm of one family with two or more peers: dense seeder and leecher arrays (so sampling a
/// window is a contiguous read) and, above `indexThreshold` peers, an open-addressing index from
/// endpoint to (list, position) so find, update and remove stay O(1).
///
/// A value type kept out of line in its shard's `PeerSlab` (so torrents stay small and `Sendable`
/// with no class per swarm). It holds no hash seed: the store's seed is passed in, which keeps the
/// record at three array references.
struct PeerList<P: CompactPeer>: Sendable {
    typealias Limits = PeerListLimits

    struct Location: Equatable {
        var isSeeder: Bool
        var position: Int
    }

    var seeders: [P] = []
    var leechers: [P] = []
    /// Empty when the swarm is small; otherwise a power-of-two table, 0 = free slot.
    var index: [UInt32] = []

    init() {}

    var count: Int { seeders.count + leechers.count }
    var hasIndex: Bool { !index.isEmpty }

    subscript(location: Location) -> P {
        location.isSeeder ? seeders[location.position] : leechers[location.position]
    }

    @inline(__always)
    func find(_ peer: P, seed: UInt64) -> Location? {
        if hasIndex {
            return findSlot(of: peer, seed: seed).map { decode(index[$0]) }
        }
        for position in seeders.indices where seeders[position].hasSameEndpoint(as: peer) {
            return Location(isSeeder: true, position: position)
        }
        for position in leechers.indices where leechers[position].hasSameEndpoint(as: peer) {
            return Location(isSeeder: false, position: position)
        }
        return nil
    }

    /// Appends a peer known to be absent, into the list its seeder bit names.
    @discardableResult
    mutating func insert(_ peer: P, seed: UInt64) -> Location {
        let location: Location
        if peer.isSeeder {
            seeders.append(peer)
            location = Location(isSeeder: true, position: seeders.count - 1)
        } else {
            leechers.append(peer)
            location = Location(isSeeder: false, position: leechers.count - 1)
        }
        if hasIndex {
            if count * 2 > index.count {
                rebuildIndex(capacity: index.count * 2, seed: seed)
            } else {
                indexInsert(location, hash: peer.endpointHash(seed: seed))
            }
        } else if count > Limits.indexThreshold {
            rebuildIndex(capacity: Self.indexCapacity(for: count), seed: seed)
        }
        return location
    }

    /// Makes room for one more peer at `cap`: a new endpoint in a full list evicts a random peer.
    /// Returns the evicted peer, if any. A peer already present needs no room.
    mutating func makeRoom(for peer: P, cap: Int, seed: UInt64, rng: inout Xoshiro256) -> P? {
        guard cap > 0, count >= cap, find(peer, seed: seed) == nil else { return nil }
        let pick = Int(rng.next() % UInt64(count))
        let victim = pick < seeders.count
            ? Location(isSeeder: true, position: pick) : Location(isSeeder: false, position: pick - seeders.count)
        return remove(at: victim, seed: seed)
    }

    /// Swap-removes the peer at `location`; the moved peer's index slot is updated.
    @discardableResult
    mutating func remove(at location: Location, seed: UInt64) -> P {
        let removed = self[location]
        if hasIndex {
            let slot = slotPointing(at: location, hash: removed.endpointHash(seed: seed))
            indexRemove(slot: slot, seed: seed)
        }
        let last = location.isSeeder ? seeders.count - 1 : leechers.count - 1
        if location.position == last {
            if location.isSeeder { seeders.removeLast() } else { leechers.removeLast() }
        } else {
            let moved: P
            if location.isSeeder {
                moved = seeders.removeLast()
                seeders[location.position] = moved
            } else {
                moved = leechers.removeLast()
                leechers[location.position] = moved
            }
            if hasIndex {
                let from = Location(isSeeder: location.isSeeder, position: last)
                let slot = slotPointing(at: from, hash: moved.endpointHash(seed: seed))
                index[slot] = encode(location)
            }
        }
        if hasIndex && count < Limits.dropIndexBelow {
            index = []
        }
        return removed
    }

    /// Replaces the record at `location` with `peer` (same endpoint), moving it between the
    /// seeder and leecher arrays when its seeder bit changed.
    @discardableResult @inline(__always)
    mutating func update(at location: Location, with peer: P, seed: UInt64) -> Location {
        if peer.isSeeder == location.isSeeder {
            if location.isSeeder { seeders[location.position] = peer } else { leechers[location.position] = peer }
            return location
        }
        return move(from: location, as: peer, seed: seed)
    }

    /// A peer whose seeder bit changed: out of one array, into the other (the rare case, kept
    /// out of `update`'s inlined body).
    @inline(never)
    private mutating func move(from location: Location, as peer: P, seed: UInt64) -> Location {
        remove(at: location, seed: seed)
        return insert(peer, seed: seed)
    }

    /// Removes every peer `isExpired` selects, then shrinks arrays and the index to fit.
    /// Returns the number removed. O(n): cleaner only.
    mutating func removeAll(seed: UInt64, where isExpired: (P) -> Bool) -> Int {
        let before = count
        seeders.removeAll(where: isExpired)
        leechers.removeAll(where: isExpired)
        let removed = before - count
        _ = Self.shrinkIfSparse(&seeders)
        _ = Self.shrinkIfSparse(&leechers)
        if count < Limits.dropIndexBelow {
            index = []
        } else if hasIndex || count > Limits.indexThreshold {
            let wanted = Self.indexCapacity(for: count)
            if removed > 0 || !hasIndex || index.count > wanted * Limits.shrinkFactor {
                rebuildIndex(capacity: wanted, seed: seed)
            }
        }
        return removed
    }

    /// Inserts or refreshes `peer`, keeping a completed bit once set. Reports a first completion
    /// (so `downloaded` counts once per peer) and where the peer now is, for sampling.
    mutating func upsert(_ peer: P, seed: UInt64) -> UpsertResult {
        var result: UpsertResult
        if let location = find(peer, seed: seed) {
            let existing = self[location]
            result = UpsertResult.updated(peer, over: existing)
            result.position = update(at: location, with: peer.merged(over: existing), seed: seed).position
        } else {
            result = UpsertResult.inserted(peer)
            result.position = insert(peer, seed: seed).position
        }
        result.familyCount = count
        result.familySeeders = seeders.count
        return result
    }

    /// Visits every peer, seeders first, in storage order.
    @inline(__always)
    func forEachPeer(_ body: (P) -> Void) {
        for peer in seeders { body(peer) }
        for peer in leechers { body(peer) }
    }

    static func indexCapacity(for count: Int) -> Int {
        var capacity = Limits.minimumIndexCapacity
        while capacity < count * 2 { capacity *= 2 }
        return capacity
    }

    private static func shrinkIfSparse(_ array: inout [P]) -> Bool {
        guard array.capacity > Limits.minimumIndexCapacity,
              array.count * Limits.shrinkFactor < array.capacity else { return false }
        var fresh: [P] = []
        fresh.reserveCapacity(array.count * 2)
        fresh.append(contentsOf: array)
        array = fresh
        return true
    }
}

/// Sizing rules for `PeerList`.
enum PeerListLimits {
    /// Above 16 peers a linear scan of both arrays (≤ 16 × 8 B = two cache lines for IPv4)
    /// stops being cheaper than hashing.
    static let indexThreshold = 16
    /// Drop the index again below 8: the gap to 16 stops churn from rebuilding it repeatedly.
    static let dropIndexBelow = 8
    /// Smallest index table: 32 slots keeps the load ≤ 0.5 at the threshold.
    static let minimumIndexCapacity = 32
    /// Shrink arrays when at most a quarter is used (opentracker shrinks at size·4 < space).
    static let shrinkFactor = 4
    /// An index slot stores position + 1 in 31 bits; the top bit names the list.
    static let seederSlotBit: UInt32 = 0x8000_0000
}
