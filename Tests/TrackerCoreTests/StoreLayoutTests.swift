@testable import TrackerCore
import Testing
import TrackerProtocol

/// Slab slots in use per family, summed over every shard.
private func slabsInUse(_ store: TorrentStore) -> (v4: Int, v6: Int) {
    store.shards.reduce((0, 0)) { total, shard in
        shard.torrents.withLock { ($0.lists.v4.occupied + total.0, $0.lists.v6.occupied + total.1) }
    }
}

@Suite("Torrent memory layout")
struct StoreLayoutTests {
    @Test("A torrent is 28 bytes and its IPv4 set at most 17")
    func torrentStride() {
        #expect(MemoryLayout<PeerSet<Peer4>>.size <= 17)
        #expect(MemoryLayout<Torrent>.stride == 28)
    }

    @Test("Torrents with up to two IPv4 peers own no out-of-line list")
    func smallSwarmsAllocateNothing() {
        var h = Harness()
        for n in 1...50 {
            h.announce(testHash(UInt64(n)), from: v4(UInt32(n)), seeder: true)
            h.announce(testHash(UInt64(n)), from: v4(UInt32(1000 + n)), seeder: n.isMultiple(of: 2))
        }
        #expect(slabsInUse(h.store) == (0, 0))
        #expect(h.store.statistics().peers4 == 100)
        h.announce(testHash(1), from: v4(5000))
        #expect(slabsInUse(h.store) == (1, 0))
    }

    @Test("In a two-peer swarm each peer gets the other, never itself")
    func twoPeerSwarm() {
        var h = Harness()
        h.announce(testHash(1), from: v4(1), seeder: true)
        h.announce(testHash(1), from: v4(2))
        let first = h.announce(testHash(1), from: v4(1), seeder: true)
        let second = h.announce(testHash(1), from: v4(2))
        #expect(first.peers == [v4(2)])
        #expect(second.peers == [v4(1)])
        #expect((first.outcome.seeders, first.outcome.leechers) == (1, 1))
        #expect(h.announce(testHash(1), from: v4(2), numWant: 0).peers.isEmpty)
    }

    @Test("A completion in a two-peer swarm counts once per peer")
    func twoPeerCompletion() {
        var h = Harness()
        h.announce(testHash(1), from: v4(1))
        h.announce(testHash(1), from: v4(2))
        h.announce(testHash(1), from: v4(2), event: .completed, seeder: true)
        h.announce(testHash(1), from: v4(2), event: .completed, seeder: true)
        h.announce(testHash(1), from: v4(1), event: .completed, seeder: true)
        #expect(h.store.scrape(testHash(1)) == ScrapeCounts(seeders: 2, leechers: 0, downloaded: 2))
    }

    @Test("Slab slots are given back when swarms shrink, stop or expire, and reused")
    func slotsRecycled() {
        var h = Harness(configuration: TrackerConfiguration(shardCount: 1))
        for i in 1...5 { h.announce(testHash(1), from: v4(UInt32(i))) }
        for i in 1...3 { h.announce(testHash(2), from: v4(UInt32(i))) }
        h.announce(testHash(3), from: v6(1))
        #expect(slabsInUse(h.store) == (2, 1))
        h.announce(testHash(2), from: v4(1), event: .stopped)
        h.announce(testHash(3), from: v6(1), event: .stopped)
        #expect(slabsInUse(h.store) == (1, 0))
        #expect(h.store.scrape(testHash(2)).leechers == 2)
        #expect(h.store.scrape(testHash(3)) == .zero)
        for i in 1...3 { h.announce(testHash(4), from: v4(UInt32(i))) }
        #expect(slabsInUse(h.store) == (2, 0))
        let lists = h.store.shards[0].torrents.withLock { $0.lists.v4.lists.count }
        #expect(lists == 2)
        _ = h.store.cleanAll(now: h.now + 10_000)
        #expect(slabsInUse(h.store) == (0, 0))
        #expect(h.store.statistics().torrents == 0)
    }

    @Test("A snapshot of inline and out-of-line swarms loads back with the same slots")
    func snapshotThroughSlabs() throws {
        var h = Harness()
        h.announce(testHash(1), from: v4(1), seeder: false)
        h.announce(testHash(1), from: v4(2), seeder: true)
        for i in 1...20 { h.announce(testHash(2), from: v4(UInt32(i)), seeder: i.isMultiple(of: 4)) }
        h.announce(testHash(3), from: v6(1))
        let bytes = h.store.encodeSnapshot(now: h.now).flatMap { $0 }
        let fresh = TorrentStore(configuration: TrackerConfiguration(shardCount: 16), hashSeed: 5)
        _ = try SnapshotDecoder.load(bytes: bytes, into: fresh, now: h.now)
        #expect(slabsInUse(fresh) == (1, 1))
        for n: UInt64 in 1...3 { #expect(fresh.scrape(testHash(n)) == h.store.scrape(testHash(n))) }
        // Same size (records sit in dictionary order, which differs between instances).
        #expect(fresh.encodeSnapshot(now: h.now).flatMap { $0 }.count == bytes.count)
        let (a, b) = (fresh.statistics(), h.store.statistics())
        #expect((a.torrents, a.peers4, a.peers6, a.seeders, a.leechers) == (b.torrents, b.peers4, b.peers6, b.seeders, b.leechers))
    }
}
