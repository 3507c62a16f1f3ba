/// A 1-based position in a shard's `PeerSlab`; 0 means "no list". Four bytes in the torrent
/// instead of a 24-byte `PeerList` (or a class reference per swarm).
struct PeerListHandle: Equatable, Sendable {
    var rawValue: UInt32

    static let none = PeerListHandle(rawValue: 0)

    var isNone: Bool { rawValue == 0 }
    var position: Int { Int(rawValue) - 1 }
}

/// The out-of-line peer lists of one family in one shard: a dense array with a free list, under
/// the shard's lock. Only swarms too large to store inline (or, for IPv6, any swarm) own a slot,
/// so the common small torrent costs no heap allocation at all.
struct PeerSlab<P: CompactPeer>: Sendable {
    var lists: [PeerList<P>] = []
    /// Vacant slots, reused before the array grows.
    var vacant: [UInt32] = []

    /// Lists in use (tests and statistics).
    var occupied: Int { lists.count - vacant.count }

    mutating func allocate(_ list: PeerList<P>) -> PeerListHandle {
        if let slot = vacant.popLast() {
            lists[Int(slot)] = list
            return PeerListHandle(rawValue: slot + 1)
        }
        lists.append(list)
        return PeerListHandle(rawValue: UInt32(truncatingIfNeeded: lists.count))
    }

    /// Empties the slot (freeing the list's arrays unless someone else shares them) and returns
    /// what it held.
    @discardableResult
    mutating func release(_ handle: PeerListHandle) -> PeerList<P> {
        let list = lists[handle.position]
        lists[handle.position] = PeerList()
        if handle.position == lists.count - 1 {
            lists.removeLast()
        } else {
            vacant.append(UInt32(truncatingIfNeeded: handle.position))
        }
        return list
    }

    subscript(handle: PeerListHandle) -> PeerList<P> {
        lists[handle.position]
    }
}
