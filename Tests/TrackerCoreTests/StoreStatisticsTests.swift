@testable import TrackerCore
import Testing
import TrackerProtocol

/// `statistics()` reads running totals (O(shards)) instead of walking every torrent; these drive
/// every operation that changes a swarm and check it against a walk.
@Suite("Store statistics from running totals")
struct StoreStatisticsTests {
    @Test("after announces, seeder changes, stops, sync, replacement, expiry and purge, the totals equal a walk")
    func totalsMatchAWalk() throws {
        var limits = StoreLimits()
        limits.maxPeersPerTorrent = 6
        var harness = Harness(configuration: TrackerConfiguration(shardCount: 8, limits: limits))
        var draw = Xoshiro256(seed: 99)
        for step in 0..<4_000 {
            let hash = testHash(UInt64.random(in: 0..<40, using: &draw))
            let peer = UInt32.random(in: 0..<30, using: &draw)
            let endpoint = Bool.random(using: &draw) ? v4(peer) : v6(UInt64(peer))
            switch UInt32.random(in: 0..<10, using: &draw) {
            case 0: harness.announce(hash, from: endpoint, event: .stopped)
            case 1: harness.announce(hash, from: endpoint, event: .completed, seeder: true)
            case 2:
                harness.store.applySynced(
                    .change(hash, endpoint, event: .none, isSeeder: Bool.random(using: &draw)), now: harness.now)
            default: harness.announce(hash, from: endpoint, seeder: Bool.random(using: &draw))
            }
            if step % 500 == 499 {
                harness.now += 600
                _ = harness.store.clean(shard: step % 8, now: harness.now, allowed: { $0 != testHash(3) })
            }
            if step % 250 == 0 { #expect(harness.store.statistics() == harness.store.census(), "step \(step)") }
        }
        #expect(harness.store.statistics().seeders > 0)
        #expect(harness.store.statistics() == harness.store.census())
        harness.now += 7_200
        _ = harness.store.cleanAll(now: harness.now)
        #expect(harness.store.statistics() == harness.store.census())
    }
}
