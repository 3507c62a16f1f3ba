/// Choosing peers for a reply without scanning the swarm: a random start in each list and a
/// contiguous, wrapping window from there (aquatic found windows more cache-friendly than random
/// picks). Cost is O(numWant) whatever the swarm size.
extension PeerSet {
    /// Writes up to `limit` peers other than `requester` at `offset`, `P.compactSize` bytes each.
    /// `requester` must be in the set with its current seeder bit (the announce just stored it).
    func sample(
        for requester: P, limit: Int, in slab: PeerSlab<P>, rng: inout Xoshiro256,
        into span: inout MutableRawSpan, at offset: Int
    ) -> (written: Int, examined: Int) {
        guard limit > 0 else { return (0, 0) }
        switch self {
        case .empty:
            return (0, 0)
        case .one(let peer):
            guard !peer.hasSameEndpoint(as: requester) else { return (0, 1) }
            peer.writeCompact(into: &span, at: offset)
            return (1, 1)
        case .two(let first, let second):
            // A seeder is offered leechers first: swap when only the second one is a leecher.
            let (head, tail) = requester.isSeeder && first.isSeeder && !second.isSeeder
                ? (second, first) : (first, second)
            var written = 0
            var examined = 1
            if !head.hasSameEndpoint(as: requester) {
                head.writeCompact(into: &span, at: offset)
                written = 1
            }
            if written < limit {
                examined = 2
                if !tail.hasSameEndpoint(as: requester) {
                    tail.writeCompact(into: &span, at: offset + written * P.compactSize)
                    written += 1
                }
            }
            return (written, examined)
        case .many(let handle):
            return slab[handle].sample(for: requester, limit: limit, rng: &rng, into: &span, at: offset)
        }
    }
}

extension PeerList {
    /// Writes up to `limit` peers other than `requester` at `offset`, `P.compactSize` bytes each.
    /// `requester` must be in the list with its current seeder bit (the announce just stored it).
    func sample(
        for requester: P, limit: Int, rng: inout Xoshiro256,
        into span: inout MutableRawSpan, at offset: Int
    ) -> (written: Int, examined: Int) {
        guard limit > 0 else { return (0, 0) }
        let selfInSeeders = requester.isSeeder
        let seedersAvailable = seeders.count - (selfInSeeders ? 1 : 0)
        let leechersAvailable = leechers.count - (selfInSeeders ? 0 : 1)
        let total = min(limit, seedersAvailable + leechersAvailable)
        let fromLeechers: Int
        if requester.isSeeder {
            // A seeder has nothing to gain from other seeders: leechers first.
            fromLeechers = min(total, leechersAvailable)
        } else {
            // Leechers get a mix in proportion to the swarm, rounded to nearest.
            let pool = seedersAvailable + leechersAvailable
            let share = pool == 0 ? 0 : (total * leechersAvailable + pool / 2) / pool
            fromLeechers = min(max(share, total - seedersAvailable), leechersAvailable)
        }
        let fromSeeders = total - fromLeechers
        var written = 0
        var examined = 0
        Self.window(leechers, take: fromLeechers, skipping: requester, rng: &rng,
                    into: &span, at: offset, written: &written, examined: &examined)
        Self.window(seeders, take: fromSeeders, skipping: requester, rng: &rng,
                    into: &span, at: offset, written: &written, examined: &examined)
        return (written, examined)
    }

    private static func window(
        _ peers: [P], take wanted: Int, skipping requester: P, rng: inout Xoshiro256,
        into span: inout MutableRawSpan, at offset: Int, written: inout Int, examined: inout Int
    ) {
        guard wanted > 0, !peers.isEmpty else { return }
        var position = Int.random(in: 0..<peers.count, using: &rng)
        var taken = 0
        var looked = 0
        // At most one record (the requester) is skipped, so this ends within wanted + 1 steps.
        while taken < wanted && looked < peers.count {
            let peer = peers[position]
            looked += 1
            if !peer.hasSameEndpoint(as: requester) {
                peer.writeCompact(into: &span, at: offset + written * P.compactSize)
                written += 1
                taken += 1
            }
            position += 1
            if position == peers.count { position = 0 }
        }
        examined += looked
    }
}
