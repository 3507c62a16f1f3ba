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
        let records = peers.span
        let start = Int.random(in: 0..<records.count, using: &rng)
        // The wrapping window as two contiguous runs, start..<count then 0..<start: no wrap test
        // per record. At most one record (the requester) is skipped, so this ends within
        // wanted + 1 records.
        var taken = 0
        copyRun(records, from: start, to: records.count, take: wanted, skipping: requester,
                into: &span, at: offset, written: &written, taken: &taken, examined: &examined)
        if taken < wanted {
            copyRun(records, from: 0, to: start, take: wanted, skipping: requester,
                    into: &span, at: offset, written: &written, taken: &taken, examined: &examined)
        }
    }

    @inline(__always)
    private static func copyRun(
        _ records: Span<P>, from lower: Int, to upper: Int, take wanted: Int, skipping requester: P,
        into span: inout MutableRawSpan, at offset: Int, written: inout Int, taken: inout Int, examined: inout Int
    ) {
        // Bounded by the list and the reply size, so plain wrapping arithmetic cannot overflow.
        var index = lower
        var at = offset &+ written &* P.compactSize
        let paddedEnd = span.byteCount &- P.paddedSize   // last offset a padded write fits at
        let first = taken
        while index < upper && taken < wanted {
            let peer = records[index]
            index &+= 1
            if !peer.hasSameEndpoint(as: requester) {
                if at <= paddedEnd {
                    peer.writeCompactPadded(into: &span, at: at)
                } else {
                    peer.writeCompact(into: &span, at: at)
                }
                at &+= P.compactSize
                taken &+= 1
            }
        }
        written &+= taken &- first
        examined += index - lower
    }
}
