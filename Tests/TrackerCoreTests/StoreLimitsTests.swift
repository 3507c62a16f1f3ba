@testable import TrackerCore
import Testing
import TrackerProtocol

@Suite("Store limits: no single client can exhaust the store")
struct StoreLimitsTests {
    func harness(_ limits: StoreLimits) -> Harness {
        Harness(configuration: TrackerConfiguration(shardCount: 16, limits: limits))
    }

    @Test("One address creates at most its per-minute budget of new torrents; re-announces and other networks are unaffected")
    func newTorrentBudgetPerNetwork() {
        var h = harness(StoreLimits(maxTorrents: 0, maxPeersPerTorrent: 0, newTorrentsPerMinute: 100))
        h.now = 1_700_000_040  // 40 s into a minute
        var refused = 0
        for n in 0..<1_000 where h.announce(testHash(UInt64(n)), from: v4(1)).outcome.refusal == .newTorrentRate {
            refused += 1
        }
        #expect(refused == 900)
        #expect(h.store.totals.torrentCount == 100)
        // Known torrents take nothing from the budget.
        #expect(h.announce(testHash(5), from: v4(1, port: 7000)).outcome.refusal == nil)
        // Another address of the same IPv6 /64 shares one budget; another network has its own.
        for n in 0..<100 { #expect(h.announce(testHash(UInt64(5_000 + n)), from: v6(1)).outcome.refusal == nil) }
        #expect(h.announce(testHash(6_000), from: v6(2)).outcome.refusal == .newTorrentRate)
        #expect(h.announce(testHash(6_001), from: v4(2)).outcome.refusal == nil)
        // The next minute brings a new budget.
        h.now += 60
        #expect(h.announce(testHash(7_000), from: v4(1)).outcome.refusal == nil)
        #expect(h.store.totals.refusals(.newTorrentRate) == 901)
    }

    @Test("The torrent cap refuses new torrents only, and frees room as torrents go")
    func torrentCap() {
        var h = harness(StoreLimits(maxTorrents: 50, maxPeersPerTorrent: 0, newTorrentsPerMinute: 0))
        for n in 0..<60 { h.announce(testHash(UInt64(n)), from: v4(UInt32(n))) }
        #expect(h.store.totals.torrentCount == 50)
        #expect(h.store.totals.refusals(.torrentLimit) == 10)
        #expect(h.announce(testHash(0), from: v4(999)).outcome.refusal == nil, "an existing torrent takes new peers")
        // A stopped last peer drops its torrent: room for one more.
        h.announce(testHash(1), from: v4(1), event: .stopped)
        #expect(h.store.totals.torrentCount == 49)
        #expect(h.announce(testHash(100), from: v4(100)).outcome.refusal == nil)
        #expect(h.store.totals.torrentCount == 50)
    }

    @Test("A swarm at its peer cap replaces a random peer with each new one and never grows")
    func peerCapReplaces() {
        var h = harness(StoreLimits(maxTorrents: 0, maxPeersPerTorrent: 32, newTorrentsPerMinute: 0))
        let torrent = testHash(1)
        for n in 0..<500 {
            h.announce(torrent, from: v4(UInt32(n)), seeder: n.isMultiple(of: 4), numWant: 0)
            h.announce(torrent, from: v6(UInt64(n)), numWant: 0)
        }
        let counts = h.store.scrape(torrent)
        #expect(counts.seeders + counts.leechers == 64, "32 per family")
        #expect(h.store.totals.peerCount4 == 32 && h.store.totals.peerCount6 == 32)
        #expect(h.store.totals.replacements == 2 * (500 - 32))
        // The newest peer is always in: it was just inserted.
        let reply = h.announce(torrent, from: v4(10_000), numWant: 200)
        #expect(reply.outcome.seeders + reply.outcome.leechers == 64, "counts cover both families")
        // A peer already present re-announces without evicting anyone.
        h.announce(torrent, from: v4(10_000), numWant: 0)
        #expect(h.store.totals.replacements == 2 * (500 - 32) + 1)
    }

    @Test("Above the memory cap new torrents and new peers are refused, known peers still announce")
    func memoryCap() {
        // Room for about 100 torrents with one IPv4 peer each by the store's estimate.
        let cap = 100 * (StoreLimits.bytesPerTorrent + StoreLimits.bytesPerPeer4)
        var h = harness(StoreLimits(maxTorrents: 0, maxPeersPerTorrent: 0, newTorrentsPerMinute: 0, maxMemoryBytes: cap))
        var refused = 0
        for n in 0..<200 where h.announce(testHash(UInt64(n)), from: v4(UInt32(n))).outcome.refusal == .memoryLimit {
            refused += 1
        }
        #expect(refused > 0 && refused < 200)
        #expect(h.store.totals.estimatedBytes <= cap + StoreLimits.bytesPerTorrent + StoreLimits.bytesPerPeer4)
        #expect(h.announce(testHash(0), from: v4(5_000)).outcome.refusal == .memoryLimit, "a new peer")
        #expect(h.announce(testHash(0), from: v4(0)).outcome.refusal == nil, "a known peer")
        // Expiry gives the memory back.
        h.now += h.store.configuration.peerTimeout + 120
        _ = h.store.cleanAll(now: h.now)
        #expect(h.store.totals.torrentCount == 0 && h.store.totals.peerCount4 == 0)
        #expect(h.announce(testHash(0), from: v4(5_000)).outcome.refusal == nil)
    }

    @Test("Totals follow every way peers and torrents come and go")
    func totalsStayExact() {
        var h = harness(.unlimited)
        var rng = Xoshiro256(seed: 3)
        for step in 0..<20_000 {
            let torrent = testHash(rng.next() % 50)
            let isV6 = rng.next() % 3 == 0
            let peer = UInt32(rng.next() % 40)
            let endpoint = isV6 ? v6(UInt64(peer)) : v4(peer)
            let event: AnnounceEvent = rng.next() % 5 == 0 ? .stopped : .none
            h.announce(torrent, from: endpoint, event: event, seeder: rng.next() % 2 == 0, numWant: 0)
            if step % 5_000 == 4_999 {
                h.now += 60
                _ = h.store.cleanAll(now: h.now)
            }
        }
        let statistics = h.store.statistics()
        #expect(h.store.totals.torrentCount == statistics.torrents)
        #expect(h.store.totals.peerCount4 == statistics.peers4)
        #expect(h.store.totals.peerCount6 == statistics.peers6)
        // An access-list purge and expiry of everything bring them to zero with the store.
        _ = h.store.clean(shard: 0, now: h.now, allowed: { _ in false })
        h.now += h.store.configuration.peerTimeout + 120
        _ = h.store.cleanAll(now: h.now)
        #expect(h.store.totals.torrentCount == h.store.statistics().torrents)
        #expect(h.store.totals.peerCount4 == 0 && h.store.totals.peerCount6 == 0)
    }
}
