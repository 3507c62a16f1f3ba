import TrackerProtocol

/// One shard's torrents by info_hash: open addressing over 48-byte entries (the 20-byte hash as
/// five words, then the 28-byte `Torrent`) and one rank byte per slot, 49 B a slot.
///
/// It replaces a `[InfoHash: Torrent]`, whose power-of-two capacity at load ≤ 0.75 and 24-byte
/// key stride cost ~106 B per torrent at 1M torrents. Here any capacity is allowed (the home slot
/// is a multiply-shift range reduction of a 64-bit hash), a table grows by 1/8 once past 9/10
/// load, so a growing table sits between 0.8 and 0.9 load: at most 49 / 0.8 = 61.3 B per torrent
/// (growth leaves glibc heap holes on top; see bench/results/2026-11-25-1250-torrent-table.md).
///
/// Robin Hood linear probing keeps probe runs short at that load: an insert takes the slot of the
/// first resident nearer its own home than the newcomer is, so a lookup stops at the first resident
/// "richer" than the key would be, and only residents with the key's home are compared. Deletion
/// shifts the rest of the run back by one slot (no tombstones).
///
/// Slots are plain `Int`s, valid until the next insert or removal.
struct TorrentTable: Sendable {
    /// Per slot: 0 = empty, else the entry's rank, its distance from its home slot + 1, saturated
    /// at `Sizing.saturatedRank` (the exact rank is then recomputed from the stored hash).
    /// Equal ranks on a probe path mean the same home, the only case where keys are compared.
    private(set) var ranks: [UInt8] = []
    private(set) var entries: [Entry] = []
    private(set) var count = 0
    let key: Key

    init(key: Key) {
        self.key = key
    }

    var capacity: Int { ranks.count }

    /// The info_hash as five big-endian words: 4-byte alignment, so an entry is 20 + 28 = 48 B
    /// (`InfoHash` itself is (UInt64, UInt64, UInt32), a 24-byte stride).
    struct Words: Equatable, Sendable {
        var w0, w1, w2, w3, w4: UInt32

        init(_ hash: InfoHash) {
            let (high, middle, low) = hash.words
            w0 = UInt32(truncatingIfNeeded: high >> 32)
            w1 = UInt32(truncatingIfNeeded: high)
            w2 = UInt32(truncatingIfNeeded: middle >> 32)
            w3 = UInt32(truncatingIfNeeded: middle)
            w4 = low
        }

        var high: UInt64 { UInt64(w0) << 32 | UInt64(w1) }
        var middle: UInt64 { UInt64(w2) << 32 | UInt64(w3) }
        var infoHash: InfoHash { InfoHash(high: high, middle: middle, low: w4) }
    }

    struct Entry: Sendable {
        var words: Words
        var torrent: Torrent

        /// What empty slots hold; never read as a torrent (its rank byte is 0).
        static let vacant = Entry(words: Words(InfoHash(high: 0, middle: 0, low: 0)), torrent: Torrent(lastActivity: 0))
    }

    /// 256 random bits, drawn once per process (see `TorrentStore.init`).
    struct Key: Sendable {
        var k0, k1, k2, k3: UInt64

        init(seed: UInt64) {
            var generator = SplitMix64(seed: seed)
            k0 = generator.next()
            k1 = generator.next()
            k2 = generator.next()
            // Odd, so the last multiply never collapses a whole hash to zero.
            k3 = generator.next() | 1
        }
    }

    enum Sizing {
        /// The smallest non-empty table; below 64 slots a table grows 8 slots at a time.
        static let minimumCapacity = 8
        /// Grow once the load would pass 9/10: Robin Hood keeps a successful lookup at ~5.5 slots
        /// there, and the rank bytes of a whole probe run share a cache line or two.
        static let maximumLoadTenths = 9
        /// Grow by 1/8: right after growing the load is 0.9 / 1.125 = 0.8, hence 0.8–0.9 while growing.
        static let growthDivisor = 8
        /// Shrink once below 1/4 load, to 1/2 load: far from both thresholds, so churn around one
        /// size never resizes back and forth.
        static let shrinkBelowDivisor = 4
        /// The largest rank a byte stores; larger ones (distance ≥ 254, rare even at load 0.9) are
        /// recomputed from the stored hash.
        static let saturatedRank = Int(UInt8.max)
    }

    // MARK: Lookup

    /// The slot holding `hash`, if present.
    func slot(of hash: InfoHash) -> Int? {
        guard capacity > 0 else { return nil }
        let words = Words(hash)
        let end = probe(words, hash: hashValue(words))
        return end.found ? end.slot : nil
    }

    subscript(hash: InfoHash) -> Torrent? {
        slot(of: hash).map { entries[$0].torrent }
    }

    /// The torrent in an occupied slot, mutated in place (no copy of the table).
    subscript(slot slot: Int) -> Torrent {
        get { entries[slot].torrent }
        _modify { yield &entries[slot].torrent }
    }

    func infoHash(atSlot slot: Int) -> InfoHash { entries[slot].words.infoHash }

    /// Calls `body` for every torrent, in slot order.
    func forEach(_ body: (InfoHash, Torrent) -> Void) {
        for slot in ranks.indices where ranks[slot] != 0 {
            body(entries[slot].words.infoHash, entries[slot].torrent)
        }
    }

    // MARK: Insertion

    /// The slot of `hash`, inserting `make()` first if absent.
    mutating func slot(for hash: InfoHash, insertingIfAbsent make: @autoclosure () -> Torrent) -> Int {
        let words = Words(hash)
        let hashed = hashValue(words)
        if capacity > 0 {
            let end = probe(words, hash: hashed)
            if end.found { return end.slot }
            if !Self.isOverloaded(count: count + 1, capacity: capacity) {
                insertShifting(Entry(words: words, torrent: make()), at: end.slot, rank: end.rank)
                count += 1
                return end.slot
            }
        }
        resize(to: Self.grownCapacity(from: capacity, holding: count + 1))
        let end = probe(words, hash: hashed)
        insertShifting(Entry(words: words, torrent: make()), at: end.slot, rank: end.rank)
        count += 1
        return end.slot
    }

    /// Makes room for `total` torrents at once (snapshot loading), at 0.8 load.
    mutating func reserveCapacity(_ total: Int) {
        guard Self.isOverloaded(count: total, capacity: capacity) else { return }
        resize(to: max(Sizing.minimumCapacity, total + total / 4 + 1))
    }

    // MARK: Removal

    /// Removes the torrent in an occupied slot, then gives memory back if the table became sparse.
    mutating func remove(atSlot slot: Int) {
        removeShifting(at: slot)
        shrinkIfSparse()
    }

    /// Visits every torrent once, in place, and removes those `shouldRemove` returns true for.
    /// `context` is handed through so the caller can mutate state beside the table (the shard's
    /// slabs) without capturing it. Returns the number removed.
    mutating func removeAll<Context>(
        context: inout Context, where shouldRemove: (InfoHash, inout Torrent, inout Context) -> Bool
    ) -> Int {
        // Starting just past an empty slot: a backward shift never carries an entry across an empty
        // slot, so entries only ever move to slots not yet visited or to the one being visited,
        // and each is visited once even where a run wraps around the end of the array.
        guard count > 0, let empty = ranks.firstIndex(of: 0) else { return 0 }
        let capacity = self.capacity
        var removed = 0
        var offset = 1
        while offset < capacity {
            let slot = empty + offset < capacity ? empty + offset : empty + offset - capacity
            guard ranks[slot] != 0 else {
                offset += 1
                continue
            }
            let hash = entries[slot].words.infoHash
            if shouldRemove(hash, &entries[slot].torrent, &context) {
                removeShifting(at: slot)  // the next entry of the run, if any, is now in `slot`
                removed += 1
            } else {
                offset += 1
            }
        }
        shrinkIfSparse()
        return removed
    }

    // MARK: Internals

    /// Where a probe for `words` stopped: its slot (`found`), or the first slot holding an entry
    /// richer than the key would be, or an empty one: where the key would be inserted, at `rank`.
    private struct ProbeEnd {
        var slot: Int
        var rank: Int
        var found: Bool
    }

    /// Precondition: capacity > 0. Ends because a table always keeps an empty slot.
    @inline(__always)
    private func probe(_ words: Words, hash: UInt64) -> ProbeEnd {
        var slot = home(hash)
        var keyRank = 1
        while true {
            // A saturated byte stands for a rank of 255 or more, so it compares right against
            // any smaller key rank as it is: only a key that far from home needs the exact rank
            // (recomputed from the resident's hash), and the common probe reads one byte.
            let resident = keyRank < Sizing.saturatedRank ? Int(ranks[slot]) : rank(at: slot)
            if resident < keyRank { return ProbeEnd(slot: slot, rank: keyRank, found: false) }
            if resident == keyRank && entries[slot].words == words {
                return ProbeEnd(slot: slot, rank: keyRank, found: true)
            }
            // Bounded by the capacity (the probe meets an empty slot first): no overflow check.
            keyRank &+= 1
            slot = next(slot)
        }
    }

    /// Inserts an absent entry where its probe ended. A run is ordered by home slot, and `start`
    /// is the key's place in that order, so the rest of the run up to the next empty slot moves
    /// forward one slot (one farther from home each): the same table Robin Hood's swaps build,
    /// with one byte scan and one block move instead of a compare and swap per slot.
    private mutating func insertShifting(_ entry: Entry, at start: Int, rank: Int) {
        let capacity = self.capacity
        withSpans { rankBytes, slots in
            var slot = start
            while rankBytes[slot] != 0 { slot = slot + 1 == capacity ? 0 : slot + 1 }
            while slot != start {
                let previous = slot == 0 ? capacity - 1 : slot - 1
                slots[slot] = slots[previous]
                let moved = rankBytes[previous]
                rankBytes[slot] = moved == UInt8.max ? moved : moved + 1
                slot = previous
            }
            slots[start] = entry
            rankBytes[start] = Self.storedRank(rank)
        }
    }

    /// Runs `body` over spans of both arrays, taken out of `self` for the call: each is then
    /// checked unique once, not once per element written, and `self` stays free to read.
    private mutating func withSpans(_ body: (inout MutableSpan<UInt8>, inout MutableSpan<Entry>) -> Void) {
        var rankArray: [UInt8] = []
        var entryArray: [Entry] = []
        swap(&rankArray, &ranks)
        swap(&entryArray, &entries)
        do {
            var rankBytes = rankArray.mutableSpan
            var slots = entryArray.mutableSpan
            body(&rankBytes, &slots)
        }
        swap(&rankArray, &ranks)
        swap(&entryArray, &entries)
    }

    /// Robin Hood insertion of an absent entry (used when resizing), starting at `start` with the
    /// entry's `rank` there: each resident richer (lower rank) than what is carried trades places
    /// with it and is carried on.
    private mutating func place(_ entry: Entry, at start: Int, rank startRank: Int) {
        let capacity = self.capacity
        let key = self.key
        withSpans { rankBytes, slots in
            var carried = entry
            var carriedRank = startRank
            var slot = start
            while true {
                let resident = Self.rank(
                    stored: rankBytes[slot], at: slot, of: slots[slot].words, capacity: capacity, key: key)
                if resident == 0 {
                    slots[slot] = carried
                    rankBytes[slot] = Self.storedRank(carriedRank)
                    return
                }
                if resident < carriedRank {
                    let displaced = slots[slot]
                    slots[slot] = carried
                    carried = displaced
                    rankBytes[slot] = Self.storedRank(carriedRank)
                    carriedRank = resident
                }
                carriedRank += 1
                slot = slot + 1 == capacity ? 0 : slot + 1
            }
        }
    }

    /// Backward-shift deletion: each following entry of the run moves back one slot (one step
    /// nearer its home) until an empty slot or an entry already at its home.
    private mutating func removeShifting(at slot: Int) {
        let capacity = self.capacity
        let key = self.key
        withSpans { rankBytes, slots in
            var hole = slot
            while true {
                let following = hole + 1 == capacity ? 0 : hole + 1
                let followingRank = Self.rank(
                    stored: rankBytes[following], at: following, of: slots[following].words, capacity: capacity, key: key)
                if followingRank <= 1 { break }
                slots[hole] = slots[following]
                rankBytes[hole] = Self.storedRank(followingRank - 1)
                hole = following
            }
            rankBytes[hole] = 0
        }
        count -= 1
    }

    private mutating func shrinkIfSparse() {
        if count == 0 {
            if capacity > 0 { resize(to: 0) }
        } else if capacity > Sizing.minimumCapacity && count * Sizing.shrinkBelowDivisor < capacity {
            resize(to: max(Sizing.minimumCapacity, 2 * count))
        }
    }

    private mutating func resize(to newCapacity: Int) {
        let oldRanks = ranks
        let oldEntries = entries
        ranks = [UInt8](repeating: 0, count: newCapacity)
        entries = [Entry](repeating: .vacant, count: newCapacity)
        for slot in oldRanks.indices where oldRanks[slot] != 0 {
            let entry = oldEntries[slot]
            place(entry, at: home(hashValue(entry.words)), rank: 1)
        }
    }

    static func isOverloaded(count: Int, capacity: Int) -> Bool {
        count * 10 > capacity * Sizing.maximumLoadTenths
    }

    static func grownCapacity(from capacity: Int, holding total: Int) -> Int {
        var grown = max(capacity, Sizing.minimumCapacity)
        while isOverloaded(count: total, capacity: grown) {
            grown += max(grown / Sizing.growthDivisor, Sizing.minimumCapacity)
        }
        return grown
    }

    @inline(__always)
    private static func storedRank(_ rank: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: min(rank, Sizing.saturatedRank))
    }

    /// The exact rank of the entry in `slot` (0 if empty).
    @inline(__always)
    func rank(at slot: Int) -> Int {
        Self.rank(stored: ranks[slot], at: slot, of: entries[slot].words, capacity: capacity, key: key)
    }

    /// The exact rank from a stored byte, recomputed from the entry's hash if the byte saturated.
    @inline(__always)
    private static func rank(stored: UInt8, at slot: Int, of words: Words, capacity: Int, key: Key) -> Int {
        guard Int(stored) == Sizing.saturatedRank else { return Int(stored) }
        let home = home(hashValue(words, key: key), capacity: capacity)
        return (slot >= home ? slot - home : slot + capacity - home) + 1
    }

    @inline(__always)
    private func next(_ slot: Int) -> Int {
        slot &+ 1 == capacity ? 0 : slot &+ 1
    }

    /// Multiply-shift range reduction (Lemire): the hash's high bits pick the slot, any capacity.
    @inline(__always)
    func home(_ hash: UInt64) -> Int { Self.home(hash, capacity: capacity) }

    @inline(__always)
    private static func home(_ hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    func home(of hash: InfoHash) -> Int { home(hashValue(Words(hash))) }

    /// Keyed folded multiplies (wyhash's "mum") over all 20 bytes. Info hashes are chosen by
    /// whoever announces, so an unkeyed hash would let them aim thousands at one home slot and
    /// make every probe in that shard scan the pile. With 256 secret bits per process they cannot
    /// compute homes offline, and replies barely show slot order (full scrapes are sorted by hash;
    /// only ties in /stats top lists follow it), so there is little to adapt to; that is all a
    /// table of ~1,000 torrents a shard needs. A zero product needs a word equal to a key word.
    @inline(__always)
    func hashValue(_ words: Words) -> UInt64 { Self.hashValue(words, key: key) }

    @inline(__always)
    private static func hashValue(_ words: Words, key: Key) -> UInt64 {
        let first = Self.foldedMultiply(words.high ^ key.k0, words.middle ^ key.k1)
        return Self.foldedMultiply(first ^ UInt64(words.w4) ^ key.k2, key.k3)
    }

    @inline(__always)
    private static func foldedMultiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
