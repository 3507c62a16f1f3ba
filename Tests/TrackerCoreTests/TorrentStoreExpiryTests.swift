@testable import TrackerCore
import Testing
import TrackerProtocol

@Suite("Expiry with an injected clock")
struct TorrentStoreExpiryTests {
    @Test("A peer survives until the timeout and is gone after it, with its empty torrent")
    func peerExpires() {
        var h = Harness()
        let start = h.now
        h.announce(testHash(1), from: v4(1))
        h.announce(testHash(1), from: v6(1))
        #expect(h.store.cleanAll(now: start + 2700 - 60) == CleanReport())
        #expect(h.store.scrape(testHash(1)).leechers == 2)
        let report = h.store.cleanAll(now: start + 2700 + 120)
        #expect(report == CleanReport(peersRemoved: 2, torrentsRemoved: 1))
        #expect(h.store.statistics() == StoreStatistics())
    }

    @Test("Re-announcing refreshes a peer's stamp")
    func reannounceRefreshes() {
        var h = Harness()
        let start = h.now
        h.announce(testHash(1), from: v4(1))
        h.announce(testHash(1), from: v4(2))
        h.now = start + 2000
        h.announce(testHash(1), from: v4(2))
        #expect(h.store.cleanAll(now: start + 3000) == CleanReport(peersRemoved: 1, torrentsRemoved: 0))
        #expect(h.store.scrape(testHash(1)) == ScrapeCounts(seeders: 0, leechers: 1, downloaded: 0))
        let reply = h.announce(testHash(1), from: v4(3))
        #expect(reply.peers == [v4(2)])
    }

    @Test("A torrent with downloads is kept 24 hours after its last activity, then dropped")
    func completedTorrentRetention() {
        var h = Harness()
        let start = h.now
        h.announce(testHash(2), from: v4(1), event: .completed, seeder: true)
        #expect(h.store.cleanAll(now: start + 3000) == CleanReport(peersRemoved: 1, torrentsRemoved: 0))
        #expect(h.store.scrape(testHash(2)) == ScrapeCounts(seeders: 0, leechers: 0, downloaded: 1))
        #expect(h.store.cleanAll(now: start + 86_400 - 10).torrentsRemoved == 0)
        #expect(h.store.scrape(testHash(2)).downloaded == 1)
        #expect(h.store.cleanAll(now: start + 86_400 + 10).torrentsRemoved == 1)
        #expect(h.store.scrape(testHash(2)) == .zero)
        #expect(h.store.statistics().torrents == 0)
    }

    @Test("Expiry in a large swarm keeps the survivors findable and shrinks storage")
    func largeSwarmExpiry() {
        var h = Harness()
        let start = h.now
        let hash = testHash(3)
        for i in 1...5000 { h.announce(hash, from: v4(UInt32(i)), seeder: i.isMultiple(of: 2), numWant: 0) }
        h.now = start + 2000
        for i in 1...10 { h.announce(hash, from: v4(UInt32(i)), seeder: i.isMultiple(of: 2), numWant: 0) }
        let report = h.store.cleanAll(now: start + 3000)
        #expect(report == CleanReport(peersRemoved: 4990, torrentsRemoved: 0))
        #expect(h.store.scrape(hash) == ScrapeCounts(seeders: 5, leechers: 5, downloaded: 0))
        // Survivors are still found (a re-announce is not a new peer), and the set shrank.
        for i in 1...10 { h.announce(hash, from: v4(UInt32(i)), seeder: i.isMultiple(of: 2), numWant: 0) }
        #expect(h.store.scrape(hash) == ScrapeCounts(seeders: 5, leechers: 5, downloaded: 0))
        let shard = h.store.shards[h.store.shardIndex(for: hash)]
        let sizes = shard.torrents.withLock { torrents -> (Int, Int) in
            guard case .many(let handle) = torrents.table[hash]?.peers4 else { return (-1, -1) }
            let list = torrents.lists.v4[handle]
            return (list.seeders.capacity + list.leechers.capacity, list.index.count)
        }
        #expect(sizes.0 < 100)
        #expect(sizes.1 <= 32)
    }

    @Test("Clean with nothing to do reports nothing")
    func idleClean() {
        var h = Harness()
        h.announce(testHash(1), from: v4(1))
        #expect(h.store.cleanAll(now: h.now + 60) == CleanReport())
    }

    @Test("A wall clock stepping back does not expire every peer")
    func clockStepsBack() {
        var h = Harness()
        h.announce(testHash(1), from: v4(1))
        #expect(h.store.cleanAll(now: h.now - 600) == CleanReport())
        #expect(h.store.scrape(testHash(1)).leechers == 1)
    }

    @Test("Shard cleaning touches only its own shard")
    func oneShardAtATime() {
        var h = Harness()
        let start = h.now
        // The leading info_hash bits pick the shard (16 shards: the top 4 bits): 64 hashes, 4 per shard.
        for n in 0..<64 { h.announce(testHash(UInt64(n % 16) << 60 | UInt64(n / 16)), from: v4(1)) }
        let shard = h.store.shardIndex(for: testHash(5 << 60))
        #expect(shard == 5)
        let report = h.store.clean(shard: shard, now: start + 4000)
        #expect(report == CleanReport(peersRemoved: 4, torrentsRemoved: 4))
        #expect(h.store.statistics().torrents == 60)
        #expect(h.store.cleanAll(now: start + 4000).torrentsRemoved == 60)
    }
}
