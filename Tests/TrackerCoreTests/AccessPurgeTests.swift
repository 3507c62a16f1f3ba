import Testing
import TrackerCore
import TrackerProtocol

@Suite("Cleaning purges torrents an access list forbids")
struct AccessPurgeTests {
    @Test("Torrents the predicate rejects are dropped with their peers; others stay")
    func purgeForbidden() {
        let store = TorrentStore(configuration: TrackerConfiguration())
        var rng = Xoshiro256(seed: 1)
        let kept = InfoHash(bytes: Array(repeating: 1, count: 20))
        let forbidden = InfoHash(bytes: Array(repeating: 2, count: 20))
        var buffer = [UInt8](repeating: 0, count: 256)
        for (hash, port) in [(kept, UInt16(1)), (forbidden, 2), (forbidden, 3)] {
            buffer.withUnsafeMutableBytes { raw in
                var span = raw.mutableBytes
                _ = store.announce(
                    Announce(infoHash: hash, event: .started, isSeeder: true, numWant: 10),
                    from: PeerEndpoint(address: .v4(IPv4Address(rawValue: 0x7F00_0001)), port: port), now: 1_000,
                    rng: &rng, peers: &span, at: 20)
            }
        }
        var report = CleanReport()
        for shard in 0..<store.shardCount {
            report = report + store.clean(shard: shard, now: 1_000, allowed: { $0 != forbidden })
        }
        #expect(report.torrentsRemoved == 1 && report.peersRemoved == 2)
        #expect(store.scrape(forbidden).seeders == 0)
        #expect(store.scrape(kept).seeders == 1)
    }
}
