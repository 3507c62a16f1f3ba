/// The open-addressing index: linear probing, backward-shift deletion (no tombstones, so probe
/// lengths never degrade under churn), load factor ≤ 0.5.
extension PeerList {
    @inline(__always)
    func encode(_ location: Location) -> UInt32 {
        UInt32(truncatingIfNeeded: location.position + 1) | (location.isSeeder ? Limits.seederSlotBit : 0)
    }

    @inline(__always)
    func decode(_ slot: UInt32) -> Location {
        Location(isSeeder: slot & Limits.seederSlotBit != 0,
                 position: Int(slot & ~Limits.seederSlotBit) - 1)
    }

    @inline(__always)
    private func home(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash) & (index.count - 1)
    }

    func findSlot(of peer: P, seed: UInt64) -> Int? {
        let mask = index.count - 1
        var slot = home(peer.endpointHash(seed: seed))
        while index[slot] != 0 {
            if self[decode(index[slot])].hasSameEndpoint(as: peer) { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The slot that holds `location`; the peer stored there must hash to `hash`.
    func slotPointing(at location: Location, hash: UInt64) -> Int {
        let mask = index.count - 1
        let wanted = encode(location)
        var slot = home(hash)
        while index[slot] != wanted {
            precondition(index[slot] != 0, "peer index lost an entry")
            slot = (slot + 1) & mask
        }
        return slot
    }

    mutating func indexInsert(_ location: Location, hash: UInt64) {
        let mask = index.count - 1
        var slot = home(hash)
        while index[slot] != 0 { slot = (slot + 1) & mask }
        index[slot] = encode(location)
    }

    /// Frees `slot` and shifts later members of the probe run back so lookups never stop early.
    mutating func indexRemove(slot removed: Int, seed: UInt64) {
        let mask = index.count - 1
        var hole = removed
        var next = (hole + 1) & mask
        while index[next] != 0 {
            let ideal = home(self[decode(index[next])].endpointHash(seed: seed))
            // Move `next` into the hole unless its home lies cyclically in (hole, next].
            let distanceToNext = (next - ideal) & mask
            let distanceToHole = (hole - ideal) & mask
            if distanceToHole < distanceToNext {
                index[hole] = index[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        index[hole] = 0
    }

    mutating func rebuildIndex(capacity: Int, seed: UInt64) {
        index = Array(repeating: 0, count: capacity)
        for position in seeders.indices {
            indexInsert(Location(isSeeder: true, position: position), hash: seeders[position].endpointHash(seed: seed))
        }
        for position in leechers.indices {
            indexInsert(Location(isSeeder: false, position: position), hash: leechers[position].endpointHash(seed: seed))
        }
    }
}
