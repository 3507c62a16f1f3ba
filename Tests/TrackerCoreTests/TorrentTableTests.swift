@testable import TrackerCore
import Testing
import TrackerProtocol

private func randomHash(_ rng: inout Xoshiro256) -> InfoHash {
    InfoHash(high: rng.next(), middle: rng.next(), low: UInt32(truncatingIfNeeded: rng.next()))
}

/// A torrent told apart by its `lastActivity`.
private func torrent(_ tag: UInt32) -> Torrent { Torrent(lastActivity: tag) }

/// Inserts or overwrites.
private func put(_ hash: InfoHash, _ tag: UInt32, in table: inout TorrentTable) {
    let slot = table.slot(for: hash, insertingIfAbsent: torrent(tag))
    table[slot: slot] = torrent(tag)
}

private func remove(_ hash: InfoHash, from table: inout TorrentTable) {
    if let slot = table.slot(of: hash) { table.remove(atSlot: slot) }
}

private func contents(_ table: TorrentTable) -> [InfoHash: UInt32] {
    var result: [InfoHash: UInt32] = [:]
    table.forEach { hash, torrent in result[hash] = torrent.lastActivity }
    return result
}

/// `count` hashes whose home slot in `table` (at its current capacity) is `home`.
private func hashes(homedAt home: Int, count: Int, in table: TorrentTable, rng: inout Xoshiro256) -> [InfoHash] {
    var found: [InfoHash] = []
    while found.count < count {
        let hash = randomHash(&rng)
        if table.home(of: hash) == home { found.append(hash) }
    }
    return found
}

/// Puts `count` torrents homed in the middle of the table, so removing a few later does not
/// shrink it (and move everything).
private func fillMiddle(_ table: inout TorrentTable, count: Int, rng: inout Xoshiro256) {
    var added = 0
    while added < count {
        let hash = randomHash(&rng)
        let home = table.home(of: hash)
        guard home > table.capacity / 4 && home < table.capacity / 2 else { continue }
        put(hash, 9_999, in: &table)
        added += 1
    }
}

/// A 51-slot table holding a run that starts `beforeEnd` slots before the end of the array:
/// `count` torrents homed there, then `homedAtZero` homed at slot 0, tagged by their index in the
/// returned list; plus a dozen others in the middle.
private func runAcrossEnd(
    seed: UInt64, beforeEnd: Int, count: Int, homedAtZero: Int
) -> (table: TorrentTable, run: [InfoHash]) {
    var rng = Xoshiro256(seed: seed)
    var table = TorrentTable(key: .init(seed: seed))
    table.reserveCapacity(40)
    let run = hashes(homedAt: table.capacity - beforeEnd, count: count, in: table, rng: &rng)
        + hashes(homedAt: 0, count: homedAtZero, in: table, rng: &rng)
    for (index, hash) in run.enumerated() { put(hash, UInt32(index), in: &table) }
    fillMiddle(&table, count: 12, rng: &rng)
    return (table, run)
}

/// Robin Hood's invariants, checked slot by slot: every rank is the distance from the entry's home
/// plus one (the byte saturated), a run never climbs by more than one, every key is found where it
/// is, an empty slot remains and the count is right.
private func expectConsistent(_ table: TorrentTable, sourceLocation: SourceLocation = #_sourceLocation) {
    let capacity = table.capacity
    var occupied = 0
    var mismatches = 0
    for slot in 0..<capacity where table.ranks[slot] != 0 {
        occupied += 1
        let hash = table.infoHash(atSlot: slot)
        let home = table.home(of: hash)
        let rank = (slot - home + capacity) % capacity + 1
        if table.rank(at: slot) != rank || Int(table.ranks[slot]) != min(rank, 255) { mismatches += 1 }
        let following = (slot + 1) % capacity
        if table.rank(at: following) > rank + 1 { mismatches += 1 }
        if table.slot(of: hash) != slot { mismatches += 1 }
    }
    #expect(mismatches == 0, sourceLocation: sourceLocation)
    #expect(occupied == table.count, sourceLocation: sourceLocation)
    #expect(capacity == 0 || occupied < capacity, sourceLocation: sourceLocation)
    #expect(!TorrentTable.isOverloaded(count: table.count, capacity: capacity), sourceLocation: sourceLocation)
}

@Suite("Torrent table")
struct TorrentTableTests {
    @Test("An entry packs the info_hash and the torrent into 48 bytes")
    func entryLayout() {
        #expect(MemoryLayout<TorrentTable.Entry>.stride == 48)
        #expect(MemoryLayout<TorrentTable.Entry>.alignment == 4)
    }

    @Test("The table agrees with a Dictionary through random inserts, updates, removals, lookups and sweeps")
    func modelAgainstDictionary() {
        var rng = Xoshiro256(seed: 7)
        var table = TorrentTable(key: .init(seed: 1))
        var model: [InfoHash: UInt32] = [:]
        var pool: [InfoHash] = (0..<3_000).map { _ in randomHash(&rng) }
        pool.append(InfoHash(high: 0, middle: 0, low: 0))
        var peak = 0
        var shrank = false
        // Phases: mostly inserting (growth), then mostly removing (shrink), then mixed.
        for (operations, insertPercent) in [(8_000, 80), (8_000, 10), (8_000, 50)] {
            for step in 0..<operations {
                let hash = pool[Int(rng.next() % UInt64(pool.count))]
                let tag = UInt32(truncatingIfNeeded: rng.next())
                let roll = Int(rng.next() % 100)
                if roll < insertPercent {
                    put(hash, tag, in: &table)
                    model[hash] = tag
                } else if roll < insertPercent + (100 - insertPercent) * 2 / 3 {
                    remove(hash, from: &table)
                    model[hash] = nil
                } else {
                    #expect(table[hash]?.lastActivity == model[hash])
                }
                peak = max(peak, table.capacity)
                shrank = shrank || table.capacity < peak
                if step.isMultiple(of: 1_000) {
                    expectConsistent(table)
                    #expect(contents(table) == model)
                }
            }
            // A sweep that updates every torrent in place and removes about a third.
            var visits: [InfoHash: Int] = [:]
            var context = 0
            let removed = table.removeAll(context: &context) { hash, torrent, visited in
                visits[hash, default: 0] += 1
                visited += 1
                torrent.downloaded = 1
                return torrent.lastActivity % 3 == 0
            }
            #expect(visits.count == model.count && visits.values.allSatisfy { $0 == 1 })
            #expect(context == model.count)
            let doomed = model.filter { $0.value % 3 == 0 }.keys
            #expect(removed == doomed.count)
            for hash in doomed { model[hash] = nil }
            expectConsistent(table)
            #expect(contents(table) == model)
            var updated = true
            table.forEach { _, torrent in updated = updated && torrent.downloaded == 1 }
            #expect(updated)
        }
        #expect(peak > 1_000)
        #expect(shrank)
    }

    @Test("Backward-shift deletion carries a run across the end of the array back over it")
    func deletionAcrossWrapAround() {
        var (table, run) = runAcrossEnd(seed: 11, beforeEnd: 1, count: 3, homedAtZero: 1)
        let capacity = table.capacity
        let (last, first) = (Array(run[0..<3]), [run[3]])
        // The run: last[0] at its home, last[1], last[2] wrapped to 0 and 1, first[0] pushed to 2.
        #expect((last + first).map { table.slot(of: $0) } == [capacity - 1, 0, 1, 2])
        #expect(table.rank(at: 2) == 3)
        expectConsistent(table)

        remove(last[0], from: &table)
        #expect([last[1], last[2], first[0]].map { table.slot(of: $0) } == [capacity - 1, 0, 1])
        #expect(table.slot(of: last[0]) == nil)
        #expect(table.ranks[2] == 0)
        expectConsistent(table)
        #expect([last[1], last[2], first[0]].map { table[$0]?.lastActivity } == [1, 2, 3])
        #expect(table.capacity == capacity)
    }

    @Test("A sweep that removes at the end of the array visits each wrapped entry once")
    func sweepAcrossWrapAround() {
        var (table, wrapped) = runAcrossEnd(seed: 12, beforeEnd: 2, count: 5, homedAtZero: 0)
        let capacity = table.capacity
        #expect(table.slot(of: wrapped[4]) == 2)
        var visits: [InfoHash: Int] = [:]
        var unused = 0
        // Removing the entries at the array's last two slots shifts the wrapped ones back over the end.
        let removed = table.removeAll(context: &unused) { hash, _, _ in
            visits[hash, default: 0] += 1
            return hash == wrapped[0] || hash == wrapped[1]
        }
        #expect(removed == 2)
        #expect(visits.count == 17 && visits.values.allSatisfy { $0 == 1 })
        #expect(table.capacity == capacity)
        #expect(wrapped[2...].map { table.slot(of: $0) } == [capacity - 2, capacity - 1, 0])
        expectConsistent(table)
    }

    @Test("Entries with the same or adjacent home slots are all found, whatever the order of inserts and removals")
    func collidingAndAdjacentHomes() {
        var rng = Xoshiro256(seed: 13)
        var probe = TorrentTable(key: .init(seed: 4))
        probe.reserveCapacity(60)
        let home = probe.capacity / 3
        let crowd = hashes(homedAt: home, count: 6, in: probe, rng: &rng)
            + hashes(homedAt: home + 1, count: 3, in: probe, rng: &rng)
            + hashes(homedAt: home + 3, count: 3, in: probe, rng: &rng)
            + hashes(homedAt: home + 9, count: 2, in: probe, rng: &rng)
        for round in 0..<20 {
            var table = probe
            let order = crowd.shuffled(using: &rng)
            for (index, hash) in order.enumerated() { put(hash, UInt32(index), in: &table) }
            #expect(table.capacity == probe.capacity)
            expectConsistent(table)
            // One unbroken run from the shared home: 14 entries in slots home…home+13.
            #expect(Set(crowd.compactMap { table.slot(of: $0) }) == Set(home..<home + 14))
            var model = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, UInt32($0)) })
            for hash in crowd.shuffled(using: &rng).prefix(round % 14 + 1) {
                remove(hash, from: &table)
                model[hash] = nil
                expectConsistent(table)
                #expect(contents(table) == model)
            }
        }
    }

    @Test("A run longer than a rank byte holds is found, grown and shrunk like any other")
    func saturatedRanks() {
        var rng = Xoshiro256(seed: 14)
        var table = TorrentTable(key: .init(seed: 5))
        table.reserveCapacity(280)
        let capacity = table.capacity
        let pile = hashes(homedAt: 5, count: 280, in: table, rng: &rng)
        for (index, hash) in pile.enumerated() { put(hash, UInt32(index), in: &table) }
        #expect(table.capacity == capacity)
        #expect(table.ranks.filter { $0 == 255 }.count == 280 - 254)
        expectConsistent(table)
        for hash in pile.prefix(10) { remove(hash, from: &table) }
        expectConsistent(table)
        #expect(pile.enumerated().dropFirst(10).allSatisfy { table[$1]?.lastActivity == UInt32($0) })
        for index in 0..<60 { put(randomHash(&rng), UInt32(1_000 + index), in: &table) }
        #expect(table.capacity > capacity)
        expectConsistent(table)
    }

    @Test("A growing table stays between 0.8 and 0.9 load, and gives memory back as it empties")
    func loadAndShrink() {
        var rng = Xoshiro256(seed: 15)
        var table = TorrentTable(key: .init(seed: 6))
        var hashes: [InfoHash] = []
        var lowest = 1.0
        var highest = 0.0
        for index in 0..<20_000 {
            let hash = randomHash(&rng)
            hashes.append(hash)
            put(hash, UInt32(index), in: &table)
            guard table.capacity >= 256 else { continue }
            let load = Double(table.count) / Double(table.capacity)
            lowest = min(lowest, load)
            highest = max(highest, load)
        }
        #expect(lowest >= 0.79 && highest <= 0.9)
        expectConsistent(table)
        for hash in hashes[2_000...] { remove(hash, from: &table) }
        #expect(table.count == 2_000)
        #expect(table.capacity <= 4 * 2_000)
        expectConsistent(table)
        var unused = 0
        #expect(table.removeAll(context: &unused) { _, _, _ in true } == 2_000)
        #expect(table.capacity == 0 && table.count == 0)
        #expect(table.slot(of: hashes[0]) == nil)
        put(hashes[0], 1, in: &table)
        #expect(table[hashes[0]]?.lastActivity == 1)
    }
}
