@testable import TrackerCore
import Testing
import TrackerProtocol

@Suite("Which changes are synced, and how received ones apply")
struct SyncSemanticsTests {
    @Test("New peers, first completions, seeder changes and re-announces 10+ minutes apart are synced; quick re-announces are not")
    func syncDecision() {
        var h = Harness()
        #expect(h.announce(testHash(1), from: v4(1)).outcome.worthSyncing)
        #expect(!h.announce(testHash(1), from: v4(1)).outcome.worthSyncing)
        h.now += 9 * 60
        #expect(!h.announce(testHash(1), from: v4(1)).outcome.worthSyncing)
        h.now += 60
        #expect(!h.announce(testHash(1), from: v4(1)).outcome.worthSyncing, "stamp refreshed a minute ago")
        h.now += 10 * 60
        #expect(h.announce(testHash(1), from: v4(1)).outcome.worthSyncing)
        #expect(h.announce(testHash(1), from: v4(1), event: .completed, seeder: true).outcome.worthSyncing)
        #expect(!h.announce(testHash(1), from: v4(1), seeder: true).outcome.worthSyncing)
        #expect(h.announce(testHash(1), from: v6(1)).outcome.worthSyncing)
    }

    @Test("A stop is synced only when it removed a peer")
    func stopDecision() {
        var h = Harness()
        h.announce(testHash(2), from: v4(1))
        #expect(h.announce(testHash(2), from: v4(1), event: .stopped).outcome.worthSyncing)
        #expect(!h.announce(testHash(2), from: v4(1), event: .stopped).outcome.worthSyncing)
        #expect(!h.announce(testHash(3), from: v6(1), event: .stopped).outcome.worthSyncing)
    }

    @Test("A remote completion counts once per peer, also when the peer already completed locally")
    func completedOnce() {
        var h = Harness()
        let completed = LivesyncEntry(infoHash: testHash(4), endpoint: v4(5), flags: [.seeding, .completed])
        h.store.applySynced(completed, now: h.now)
        h.store.applySynced(completed, now: h.now)
        #expect(h.store.scrape(testHash(4)).downloaded == 1)
        h.announce(testHash(4), from: v4(5), event: .completed, seeder: true)
        #expect(h.store.scrape(testHash(4)).downloaded == 1)
        h.store.applySynced(LivesyncEntry(infoHash: testHash(4), endpoint: v6(5), flags: [.seeding, .completed]), now: h.now)
        #expect(h.store.scrape(testHash(4)).downloaded == 2)
    }

    @Test("A received stop removes the peer; received peers expire like local ones")
    func stopAndExpiry() {
        let h = Harness()
        h.store.applySynced(LivesyncEntry(infoHash: testHash(6), endpoint: v4(1), flags: []), now: h.now)
        h.store.applySynced(LivesyncEntry(infoHash: testHash(6), endpoint: v4(2), flags: .seeding), now: h.now)
        #expect(h.store.scrape(testHash(6)).leechers == 1)
        #expect(h.store.scrape(testHash(6)).seeders == 1)
        h.store.applySynced(LivesyncEntry(infoHash: testHash(6), endpoint: v4(1), flags: .stopped), now: h.now)
        #expect(h.store.scrape(testHash(6)).leechers == 0)
        let later = h.now + h.store.configuration.peerTimeout + 120
        for shard in 0..<h.store.shardCount { _ = h.store.clean(shard: shard, now: later) }
        #expect(h.store.scrape(testHash(6)).seeders == 0)
    }
}
