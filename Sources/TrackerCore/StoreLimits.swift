/// Caps that keep one client, or many, from exhausting the store. Each refusal is counted
/// (`StoreTotals.refusals`) and answered as a protocol error (BEP 15 error / HTTP failure reason).
/// 0 means no limit for every field.
public struct StoreLimits: Sendable, Equatable {
    /// Torrents in the whole store; an announce that would create one more is refused.
    public var maxTorrents: Int
    /// Peers of one family in one torrent; a new peer beyond it replaces a random peer of the same
    /// family (O(1); the oldest would need a scan or a second order, and a swarm this large is
    /// served equally well by any sample of it).
    public var maxPeersPerTorrent: Int
    /// New torrents one client network (IPv4 /32, IPv6 /64) may create per minute.
    public var newTorrentsPerMinute: Int
    /// Refuse new torrents and new peers while the store's estimated size (`StoreTotals`) is above this.
    public var maxMemoryBytes: Int

    /// Defaults that keep a 1 GB machine alive with room to spare while serving the largest public
    /// trackers' load: 10 M torrents (~640 MB by the estimate below; opentrackr reports 5–10 M),
    /// 100,000 peers per family per torrent, 1,000 new torrents per network per minute (a seedbox
    /// adding a library still gets through; one address made 1 M torrents in 6 s before this cap),
    /// no memory cap unless the daemon sets one (it uses half of physical memory).
    public init(
        maxTorrents: Int = 10_000_000, maxPeersPerTorrent: Int = 100_000, newTorrentsPerMinute: Int = 1_000,
        maxMemoryBytes: Int = 0
    ) {
        self.maxTorrents = max(maxTorrents, 0)
        // A cap below the inline two peers would never apply; below 16 it would churn every swarm.
        self.maxPeersPerTorrent = maxPeersPerTorrent == 0 ? 0 : max(maxPeersPerTorrent, 16)
        self.newTorrentsPerMinute = max(newTorrentsPerMinute, 0)
        self.maxMemoryBytes = max(maxMemoryBytes, 0)
    }

    public static let unlimited = StoreLimits(maxTorrents: 0, maxPeersPerTorrent: 0, newTorrentsPerMinute: 0)

    /// Bytes per torrent for the estimate: a `TorrentTable` entry is 48 B plus a rank byte at a
    /// load of at least 0.8 (61.3 B), rounded up; its first two IPv4 peers are inline. Measured: RSS
    /// grew 68.8 MiB for 1 M torrents × 2 peers (bench/results/2026-11-25-1320-compare.md).
    public static let bytesPerTorrent = 64
    /// Bytes per IPv4 peer in a slab list: 8 B records in arrays that may be half empty after
    /// growth, plus a 4 B index slot at most half full: 16 + 8 = 24 B, rounded down to 16 for the
    /// inline majority (an overestimate either way, so the cap errs on the safe side).
    public static let bytesPerPeer4 = 16
    /// Bytes per IPv6 peer: 20 B records with the same slack (40 B) plus the index.
    public static let bytesPerPeer6 = 48
}
