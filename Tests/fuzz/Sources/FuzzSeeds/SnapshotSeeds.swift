import TrackerCore
import TrackerProtocol

/// Small snapshots written by the store's own encoder, prefixed with FuzzSnapshot's control byte
/// (0: load as is, 10 minutes later in steps of 11; 1: repair checksums first).
enum SnapshotSeeds {
    static let now: UInt32 = 1_800_000_000

    static func all() -> [(String, [UInt8])] {
        [
            ("snapshot/empty-1-shard", [0] + snapshot(shards: 1, torrents: 0)),
            ("snapshot/two-torrents-4-shards", [0] + snapshot(shards: 4, torrents: 2)),
            ("snapshot/five-torrents-8-shards", [2] + snapshot(shards: 8, torrents: 5)),
            ("snapshot/repair", [1] + snapshot(shards: 2, torrents: 3)),
        ]
    }

    /// `torrents` swarms of IPv4 and IPv6 peers, one of them completed and then left by its peers
    /// (a torrent kept only for its downloaded count).
    static func snapshot(shards: Int, torrents: Int) -> [UInt8] {
        let store = TorrentStore(configuration: TrackerConfiguration(shardCount: shards), hashSeed: 1)
        var rng = Xoshiro256(seed: 3)
        var out = [UInt8](repeating: 0, count: 1280)
        for torrent in 0..<torrents {
            let hash = InfoHash(bytes: (0..<20).map { UInt8(truncatingIfNeeded: $0 * 31 + torrent * 67) })
            for peer in 0..<(torrent + 1) {
                let endpoint: PeerEndpoint = peer % 2 == 0
                    ? .v4(IPv4Address(10, 0, UInt8(torrent), UInt8(peer + 1)), port: UInt16(6881 + peer))
                    : .v6(IPv6Address(high: 0x2001_0DB8 << 32, low: UInt64(peer)), port: 51413)
                let event: AnnounceEvent = torrent == 0 ? .completed : .started
                var span = out.mutableSpan
                var raw = span.mutableBytes
                _ = store.announce(Announce(infoHash: hash, event: event, isSeeder: peer == 0, numWant: 10),
                                   from: endpoint, now: now - UInt32(peer * 60), rng: &rng, peers: &raw, at: 0)
                if torrent == 0 {
                    _ = store.announce(Announce(infoHash: hash, event: .stopped, isSeeder: true, numWant: 0),
                                       from: endpoint, now: now, rng: &rng, peers: &raw, at: 0)
                }
            }
        }
        return store.encodeSnapshot(now: now).flatMap { $0 }
    }
}
