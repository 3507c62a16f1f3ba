import TrackerProtocol

/// All swarms, sharded by info_hash into a power-of-two number of shards, each with its own lock.
/// A lock is held for one announce, scrape or shard clean, never across I/O.
public final class TorrentStore: Sendable {
    public let configuration: TrackerConfiguration
    public let shardCount: Int
    let shards: [TorrentShard]
    /// 32 − log2(shardCount): the shard is the top bits of the info hash's first word.
    let shardShift: UInt32
    /// Seeds the peer-index hash so crafted endpoints cannot be aimed at one probe run.
    let hashSeed: UInt64
    /// peerTimeout in whole minutes, the unit of the peer stamp.
    let timeoutMinutes: UInt16
    public var limits: StoreLimits { configuration.limits }
    /// Torrents and peers in the whole store, and refusals by reason.
    public let totals = StoreTotals()
    /// New torrents per client network per minute; nil without that limit.
    let newTorrentBudget: NewTorrentBudget?

    public convenience init(configuration: TrackerConfiguration = TrackerConfiguration()) {
        var system = SystemRandomNumberGenerator()
        self.init(configuration: configuration, hashSeed: system.next())
    }

    public init(configuration: TrackerConfiguration, hashSeed: UInt64) {
        var count = 1
        // Clamp, don't refuse: round up to a power of two within 1…2^20.
        while count < min(max(configuration.shardCount, 1), 1 << 20) { count <<= 1 }
        self.configuration = configuration
        self.shardCount = count
        self.shardShift = UInt32(32 - count.trailingZeroBitCount)
        // The table key comes from the same per-process random seed, through SplitMix64 and a
        // different starting point so it shares no bits with the peer-index seed.
        let tableKey = TorrentTable.Key(seed: hashSeed ^ 0x7461_626C_655F_6B65)  // "table_ke"
        self.shards = (0..<count).map { _ in TorrentShard(tableKey: tableKey) }
        self.hashSeed = hashSeed
        self.newTorrentBudget = configuration.limits.newTorrentsPerMinute > 0
            ? NewTorrentBudget(perMinute: configuration.limits.newTorrentsPerMinute, key: hashSeed ^ 0x6275_6467_6574_5F6B)
            : nil
        self.timeoutMinutes = UInt16(min(configuration.peerTimeout / 60, UInt32(PeerMeta.maximumAge) - 1))
    }

    /// The leading bits of the info hash (as opentracker's buckets): walking shards in order then
    /// visits torrents in info-hash order, so a full scrape comes out sorted as BEP 3 asks, and a
    /// reuseport BPF steering program can mirror the choice with one load and one shift.
    @inline(__always)
    public func shardIndex(for infoHash: InfoHash) -> Int {
        // `>>` on UInt32 yields 0 for a shift of 32 (one shard), no trap.
        Int(infoHash.leadingWord >> shardShift)
    }

    public func scrape(_ infoHash: InfoHash) -> ScrapeCounts {
        withLockedShard(for: infoHash) { torrents in
            torrents.table[infoHash]?.scrapeCounts(torrents.lists) ?? .zero
        }
    }

    /// Runs `body` under the lock of `infoHash`'s shard: every access by info hash (announce,
    /// scrape, cluster changes, statedump imports). The shard is borrowed without a retain: a
    /// strong reference cost a retain and a release, ~50 user instructions, on every request
    /// (callgrind, bench/results/2026-12-07-0215-announce-glue.md).
    @inline(__always)
    func withLockedShard<Result: Sendable>(
        for infoHash: InfoHash, _ body: (inout sending ShardTorrents) -> sending Result
    ) -> Result {
        // SAFETY: `shards` is a `let` of this store and the caller holds the store for the whole
        // call, so the shard outlives the unretained reference.
        unsafe Unmanaged.passUnretained(shards[shardIndex(for: infoHash)])._withUnsafeGuaranteedRef { shard in
            shard.torrents.withLock(body)
        }
    }

    /// Calls `body` for every torrent of one shard while holding that shard's lock: keep it short.
    public func forEachTorrent(shard: Int, _ body: (InfoHash, ScrapeCounts) -> Void) {
        shards[shard].torrents.withLock { torrents in
            torrents.table.forEach { hash, torrent in body(hash, torrent.scrapeCounts(torrents.lists)) }
        }
    }

    /// Store totals in O(shards): torrents and peers from `StoreTotals`, seeders from each shard's
    /// running count (one brief lock per shard, no walk of the torrents). Exactly `census()` when
    /// no announce runs at the same time.
    public func statistics() -> StoreStatistics {
        var seeders = 0
        for shard in shards { seeders += shard.torrents.withLock { $0.seeders } }
        let peers4 = totals.peerCount4
        let peers6 = totals.peerCount6
        return StoreStatistics(
            torrents: totals.torrentCount, peers4: peers4, peers6: peers6, seeders: seeders,
            // Read apart from the shard counts: clamped, as a concurrent announce may land between.
            leechers: max(0, peers4 + peers6 - seeders))
    }

    /// The same totals counted torrent by torrent (one shard lock at a time): what `statistics()`
    /// must equal, for tests.
    func census() -> StoreStatistics {
        var total = StoreStatistics()
        for shard in shards {
            let part = shard.torrents.withLock { torrents in
                var part = StoreStatistics(torrents: torrents.count)
                torrents.table.forEach { _, torrent in
                    part.peers4 += torrent.count4(torrents.lists)
                    part.peers6 += torrent.count6(torrents.lists)
                    part.seeders += torrent.seeders(torrents.lists)
                    part.leechers += torrent.leechers(torrents.lists)
                }
                return part
            }
            total.torrents += part.torrents
            total.peers4 += part.peers4
            total.peers6 += part.peers6
            total.seeders += part.seeders
            total.leechers += part.leechers
        }
        return total
    }
}
