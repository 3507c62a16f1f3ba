import TrackerCore
import TrackerProtocol

/// What a store holds, read shard by shard, for comparing two stores or a store with its totals.
public struct StoreCensus: Equatable {
    public struct Torrent: Equatable {
        public var counts: ScrapeCounts
        public var lastActivity: UInt32
    }

    public var torrents: [InfoHash: Torrent] = [:]
    public var statistics: StoreStatistics

    public init(_ store: TorrentStore) {
        statistics = store.statistics()
        for shard in 0..<store.shardCount {
            store.forEachTorrent(shard: shard) { hash, counts, lastActivity in
                torrents[hash] = Torrent(counts: counts, lastActivity: lastActivity)
            }
        }
    }

    /// The running totals the limits read must equal a walk of every shard.
    public static func requireConsistentTotals(_ store: TorrentStore, _ context: @autoclosure () -> String) {
        let walked = store.statistics()
        let totals = store.totals
        invariant(
            totals.torrentCount == walked.torrents && totals.peerCount4 == walked.peers4
                && totals.peerCount6 == walked.peers6,
            "\(context()): store totals \(totals.torrentCount) torrents, \(totals.peerCount4)+\(totals.peerCount6) peers; "
                + "the shards hold \(walked.torrents) torrents, \(walked.peers4)+\(walked.peers6) peers")
    }
}
