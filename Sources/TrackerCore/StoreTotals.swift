import Synchronization

/// Running totals of the whole store, for limits checked on every new torrent or peer without
/// walking shards. Each shard operation adds its exact change under its shard lock (a relaxed add,
/// only when something was created or removed; a re-announce touches nothing here).
public final class StoreTotals: Sendable {
    let torrents = Atomic<Int>(0)
    let peers4 = Atomic<Int>(0)
    let peers6 = Atomic<Int>(0)
    private let torrentLimitRefusals = Atomic<UInt64>(0)
    private let newTorrentRateRefusals = Atomic<UInt64>(0)
    private let memoryLimitRefusals = Atomic<UInt64>(0)
    private let replacementCount = Atomic<UInt64>(0)

    public var torrentCount: Int { torrents.load(ordering: .relaxed) }
    public var peerCount4: Int { peers4.load(ordering: .relaxed) }
    public var peerCount6: Int { peers6.load(ordering: .relaxed) }

    /// The store's size by `StoreLimits`' per-item figures.
    public var estimatedBytes: Int {
        torrentCount * StoreLimits.bytesPerTorrent + peerCount4 * StoreLimits.bytesPerPeer4
            + peerCount6 * StoreLimits.bytesPerPeer6
    }

    public func refusals(_ reason: AnnounceRefusal) -> UInt64 { withCounter(reason) { $0.load(ordering: .relaxed) } }
    /// Peers dropped to make room in a swarm at `maxPeersPerTorrent`.
    public var replacements: UInt64 { replacementCount.load(ordering: .relaxed) }

    func count(_ reason: AnnounceRefusal) { withCounter(reason) { _ = $0.add(1, ordering: .relaxed) } }

    /// One counter per reason, named (an exhaustive switch instead of an array sized by hand).
    private func withCounter<R>(_ reason: AnnounceRefusal, _ body: (borrowing Atomic<UInt64>) -> R) -> R {
        switch reason {
        case .torrentLimit: body(torrentLimitRefusals)
        case .newTorrentRate: body(newTorrentRateRefusals)
        case .memoryLimit: body(memoryLimitRefusals)
        }
    }
    func countReplacement() { replacementCount.add(1, ordering: .relaxed) }

    func add(torrents: Int = 0, peers4: Int = 0, peers6: Int = 0) {
        if torrents != 0 { self.torrents.add(torrents, ordering: .relaxed) }
        if peers4 != 0 { self.peers4.add(peers4, ordering: .relaxed) }
        if peers6 != 0 { self.peers6.add(peers6, ordering: .relaxed) }
    }
}
