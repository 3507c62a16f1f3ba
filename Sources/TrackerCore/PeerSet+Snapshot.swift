/// Peer records as a snapshot stores them: the minute stamp becomes an age relative to the
/// snapshot's creation time, and back.
extension PeerSet {
    /// Visits every inline peer, seeders first as a `PeerList` stores them (so a decoded snapshot
    /// encodes to the same bytes); `.many` visits nothing (its list is separate).
    @inline(__always)
    func forEachInlinePeer(_ body: (P) -> Void) {
        switch self {
        case .empty, .many: break
        case .one(let peer): body(peer)
        case .two(let first, let second):
            if second.isSeeder && !first.isSeeder {
                body(second); body(first)
            } else {
                body(first); body(second)
            }
        }
    }
}

extension PeerMeta {
    /// In-memory meta → snapshot meta: flags kept, stamp replaced by the age at `now`. A stamp from
    /// the future (the clock stepped back) counts as age 0, as the cleaner treats it as fresh.
    @inline(__always)
    static func snapshotMeta(_ meta: UInt16, now: UInt32) -> UInt16 {
        let age = PeerMeta.age(of: meta & stampMask, now: now)
        return (meta & ~stampMask) | (age > maximumAge ? 0 : age)
    }

    /// Snapshot meta → in-memory meta given the total age in minutes at `now` (caller checked it
    /// against the timeout).
    @inline(__always)
    static func restoredMeta(_ stored: UInt16, totalAge: UInt32, now: UInt32) -> UInt16 {
        let stamp = UInt16(truncatingIfNeeded: (now / 60) &- totalAge) & stampMask
        return (stored & ~stampMask) | stamp
    }
}
