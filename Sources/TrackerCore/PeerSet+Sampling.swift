/// Choosing peers for a reply without scanning the swarm: a random start in each list and a
/// contiguous, wrapping window from there (aquatic found windows more cache-friendly than random
/// picks). Cost is O(numWant) whatever the swarm size.
extension PeerSet {
    /// Writes up to `limit` peers other than `requester` at `offset`, `P.compactSize` bytes each.
    /// `requester` must be in the set with its current seeder bit (the announce just stored it);
    /// `position` is where the upsert put it, in a set held as a `PeerList`.
    func sample(
        for requester: P, at position: Int, limit: Int, in slab: PeerSlab<P>, rng: inout Xoshiro256,
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
            return slab[handle].sample(for: requester, at: position, limit: limit, rng: &rng, into: &span, at: offset)
        }
    }
}

extension PeerList {
    /// Writes up to `limit` peers other than `requester` at `offset`, `P.compactSize` bytes each.
    /// `requester` must be in the list with its current seeder bit, at `position` of the array
    /// that bit names (the announce just stored it there).
    func sample(
        for requester: P, at position: Int, limit: Int, rng: inout Xoshiro256,
        into span: inout MutableRawSpan, at offset: Int
    ) -> (written: Int, examined: Int) {
        guard limit > 0 else { return (0, 0) }
        let selfInSeeders = requester.isSeeder
        assert((selfInSeeders ? seeders : leechers)[position].hasSameEndpoint(as: requester),
               "the requester is not where its upsert said")
        let seedersAvailable = seeders.count - (selfInSeeders ? 1 : 0)
        let leechersAvailable = leechers.count - (selfInSeeders ? 0 : 1)
        // Never more records than the span holds from `offset` (callers size `limit` so already).
        let room = max(0, span.byteCount - offset) / P.compactSize
        let total = min(limit, seedersAvailable + leechersAvailable, room)
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
        // for replies into a UDP send slot).
        let padded = total > 0 && offset + (total - 1) * P.compactSize + P.paddedSize <= span.byteCount
        // A local view of the reply area: the copy loops keep its base and size in registers
        // (through the caller's inout span they were reloaded after every store). The stdlib
        // spells the borrowing form `_mutatingExtracting` (`extracting` now consumes).
        var out = span._mutatingExtracting(droppingFirst: offset)
        var cursor = SampleCursor()
        // The requester is skipped by position: the list it is not in has nothing to skip
        // (a position past its end).
        Self.window(leechers.span, take: fromLeechers, skipping: selfInSeeders ? leechers.count : position,
                    padded: padded, rng: &rng, into: &out, cursor: &cursor)
        Self.window(seeders.span, take: fromSeeders, skipping: selfInSeeders ? position : seeders.count,
                    padded: padded, rng: &rng, into: &out, cursor: &cursor)
        return (cursor.written, cursor.examined)
    }

    @inline(__always)
    private static func window(
        _ records: Span<P>, take wanted: Int, skipping skip: Int, padded: Bool, rng: inout Xoshiro256,
        into out: inout MutableRawSpan, cursor: inout SampleCursor
    ) {
        guard wanted > 0, !records.isEmpty else { return }
        let start = Int(truncatingIfNeeded: rng.next(below: UInt64(records.count)))
        cursor.wanted = wanted
        // Two loops, each with one kind of store: a run-time flag tested inside one loop cost
        // ~20 % more instructions per sample under callgrind.
        if padded {
            wrappingWindow(records, from: start, skipping: skip, storing: PaddedRecord.self, into: &out, cursor: &cursor)
        } else {
            wrappingWindow(records, from: start, skipping: skip, storing: ExactRecord.self, into: &out, cursor: &cursor)
        }
    }

    /// The window from `start`, wrapping once: `start..<count` then `0..<start`, each cut at the
    /// requester's position, so every run is a plain copy with no test per record.
    @inline(__always)
    private static func wrappingWindow<S: RecordStore>(
        _ records: Span<P>, from start: Int, skipping skip: Int, storing: S.Type,
        into out: inout MutableRawSpan, cursor: inout SampleCursor
    ) {
        copyRun(records, start..<records.count, skipping: skip, storing: S.self, into: &out, cursor: &cursor)
        copyRun(records, 0..<start, skipping: skip, storing: S.self, into: &out, cursor: &cursor)
    }

    @inline(__always)
    private static func copyRun<S: RecordStore>(
        _ records: Span<P>, _ run: Range<Int>, skipping skip: Int, storing: S.Type,
        into out: inout MutableRawSpan, cursor: inout SampleCursor
    ) {
        guard run.contains(skip) else {
            copy(records, run, storing: S.self, into: &out, cursor: &cursor)
            return
        }
        copy(records, run.lowerBound..<skip, storing: S.self, into: &out, cursor: &cursor)
        // The requester counts as examined only when the window reached it.
        guard cursor.wanted > 0 else { return }
        cursor.examined &+= 1
        copy(records, (skip + 1)..<run.upperBound, storing: S.self, into: &out, cursor: &cursor)
    }

    /// Copies the first `cursor.wanted` records of `run` (or all of them).
    @inline(__always)
    private static func copy<S: RecordStore>(
        _ records: Span<P>, _ run: Range<Int>, storing: S.Type,
        into out: inout MutableRawSpan, cursor: inout SampleCursor
    ) {
        // Bounded by the list and the reply size, so plain wrapping arithmetic cannot overflow.
        let count = min(run.count, cursor.wanted)
        guard count > 0 else { return }
        var at = cursor.written &* P.compactSize
        var index = run.lowerBound
        let end = index &+ count
        // The run's ranges, checked once instead of per record: its records lie in the list and
        // its last store ends inside the reply. Both hold by construction (the runs are cut from
        // 0..<records.count; `sample` sized `total` to the room); a violation traps here.
        precondition(index >= 0 && end <= records.count, "sample run outside the list")
        precondition(at &+ (count &- 1) &* P.compactSize &+ S.width(of: P.self) <= out.byteCount,
                     "sample run outside the reply")
        while index < end {
            // SAFETY: index < end <= records.count and at + width <= out.byteCount for every
            // record of the run (the two preconditions above).
            unsafe S.write(unsafe records[unchecked: index], into: &out, uncheckedAt: at)
            at &+= P.compactSize
            index &+= 1
        }
        cursor.written &+= count
        cursor.examined &+= count
        cursor.wanted &-= count
    }
}

/// Where a sample stands: records written to the reply, records looked at (the requester's
/// included when the window reached it), records the current window still wants.
private struct SampleCursor {
    var written = 0
    var examined = 0
    var wanted = 0
}
/// How a sampled record is stored: the loop is specialised for each, so it carries no flag.
private protocol RecordStore {
    /// Bytes one write touches.
    static func width<P: CompactPeer>(of: P.Type) -> Int
    /// Writes `peer` at `offset`; the caller guarantees `offset + width <= out.byteCount`.
    @unsafe static func write<P: CompactPeer>(_ peer: P, into out: inout MutableRawSpan, uncheckedAt offset: Int)
}

/// One padded store per record; the caller checked the last record's padding fits.
private enum PaddedRecord: RecordStore {
    @inline(__always)
    static func width<P: CompactPeer>(of: P.Type) -> Int { P.paddedSize }

    @unsafe @inline(__always)
    static func write<P: CompactPeer>(_ peer: P, into out: inout MutableRawSpan, uncheckedAt offset: Int) {
        // SAFETY: passed on from the caller, as the requirement states.
        unsafe peer.writeCompactPadded(into: &out, uncheckedAt: offset)
    }
}

/// Exactly `compactSize` bytes per record, range-checked (replies with no room for padding): safe
/// whatever the offset, `@unsafe` only because the requirement is.
private enum ExactRecord: RecordStore {
    @inline(__always)
    static func width<P: CompactPeer>(of: P.Type) -> Int { P.compactSize }

    @unsafe @inline(__always)
    static func write<P: CompactPeer>(_ peer: P, into out: inout MutableRawSpan, uncheckedAt offset: Int) {
        peer.writeCompact(into: &out, at: offset)
    }
}
