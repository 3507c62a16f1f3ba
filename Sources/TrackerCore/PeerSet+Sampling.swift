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
        // Every write can be one padded store when the last record's padding still fits (always,
        // for replies into a UDP send slot); the loop then needs no per-record room test.
        let padded = total > 0 && offset + (total - 1) * P.compactSize + P.paddedSize <= span.byteCount
        // A local view of the reply area: the copy loops keep its base and size in registers
        // (through the caller's inout span they were reloaded after every store). The stdlib
        // spells the borrowing form `_mutatingExtracting` (`extracting` now consumes).
        var out = span._mutatingExtracting(droppingFirst: offset)
        var written = 0
        var examined = 0
        Self.window(leechers.span, take: fromLeechers, skipping: requester, padded: padded, rng: &rng,
                    into: &out, written: &written, examined: &examined)
        Self.window(seeders.span, take: fromSeeders, skipping: requester, padded: padded, rng: &rng,
                    into: &out, written: &written, examined: &examined)
        return (written, examined)
    }

    @inline(__always)
    private static func window(
        _ records: Span<P>, take wanted: Int, skipping requester: P, padded: Bool, rng: inout Xoshiro256,
        into out: inout MutableRawSpan, written: inout Int, examined: inout Int
    ) {
        guard wanted > 0, !records.isEmpty else { return }
        let start = Int.random(in: 0..<records.count, using: &rng)
        // The wrapping window as two contiguous runs, start..<count then 0..<start: no wrap test
        // per record. At most one record (the requester) is skipped, so this ends within
        // wanted + 1 records.
        var taken = 0
        // Two loops, each with one kind of store: a run-time flag tested inside one loop cost
        // ~20 % more instructions per sample under callgrind.
        if padded {
            copyRun(records, from: start, take: wanted, skipping: requester, storing: PaddedRecord.self,
                    into: &out, written: &written, taken: &taken, examined: &examined)
        } else {
            copyRun(records, from: start, take: wanted, skipping: requester, storing: ExactRecord.self,
                    into: &out, written: &written, taken: &taken, examined: &examined)
        }
    }

    /// The window from `start`, wrapping once.
    @inline(__always)
    private static func copyRun<S: RecordStore>(
        _ records: Span<P>, from start: Int, take wanted: Int, skipping requester: P, storing: S.Type,
        into out: inout MutableRawSpan, written: inout Int, taken: inout Int, examined: inout Int
    ) {
        copyRun(records.extracting(start..<records.count), take: wanted, skipping: requester, storing: S.self,
                into: &out, written: &written, taken: &taken, examined: &examined)
        if taken < wanted {
            copyRun(records.extracting(0..<start), take: wanted, skipping: requester, storing: S.self,
                    into: &out, written: &written, taken: &taken, examined: &examined)
        }
    }

    @inline(__always)
    private static func copyRun<S: RecordStore>(
        _ run: Span<P>, take wanted: Int, skipping requester: P, storing: S.Type,
        into out: inout MutableRawSpan, written: inout Int, taken: inout Int, examined: inout Int
    ) {
        // Each of the first `wanted - taken` records is stored, and the write position moves on
        // unless it was the requester: no branch and no stored-count test per record. The
        // requester is in the set once, so after it one more record, never the requester,
        // completes the run. Its bytes, when stored, lie where the next record overwrites them or
        // past the reply's end (`written` counts real records), inside the room the caller
        // checked for `limit` records.
        // Bounded by the list and the reply size, so plain wrapping arithmetic cannot overflow.
        let count = min(run.count, wanted &- taken)
        var at = written &* P.compactSize
        var index = 0
        var skipped = false
        while index < count {
            let peer = run[index]
            S.write(peer, into: &out, at: at)
            let isRequester = peer.hasSameEndpoint(as: requester)
            at &+= isRequester ? 0 : P.compactSize
            skipped = skipped || isRequester
            index &+= 1
        }
        if skipped && index < run.count {
            S.write(run[index], into: &out, at: at)
            index &+= 1
        }
        let stored = skipped ? index &- 1 : index
        written &+= stored
        taken &+= stored
        examined &+= index
    }
}

/// How a sampled record is stored: the loop is specialised for each, so it carries no flag.
private protocol RecordStore {
    static func write<P: CompactPeer>(_ peer: P, into out: inout MutableRawSpan, at offset: Int)
}

/// One padded store per record; the caller checked the last record's padding fits.
private enum PaddedRecord: RecordStore {
    @inline(__always)
    static func write<P: CompactPeer>(_ peer: P, into out: inout MutableRawSpan, at offset: Int) {
        peer.writeCompactPadded(into: &out, at: offset)
    }
}

/// Exactly `compactSize` bytes per record.
private enum ExactRecord: RecordStore {
    @inline(__always)
    static func write<P: CompactPeer>(_ peer: P, into out: inout MutableRawSpan, at offset: Int) {
        peer.writeCompact(into: &out, at: offset)
    }
}
