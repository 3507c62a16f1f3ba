/// Store and protocol timing. Values are clamped into a usable range, never refused.
public struct TrackerConfiguration: Sendable {
    public var announceInterval: UInt32
    public var intervalJitter: UInt32
    public var peerTimeout: UInt32
    public var completedTorrentRetention: UInt32
    /// Rounded up to a power of two by `TorrentStore`.
    public var shardCount: Int
    public var cleanInterval: UInt32
    /// Caps on torrents, peers per torrent, new torrents per client network and memory.
    public var limits: StoreLimits
    /// Decoy peers mixed into announce replies; off unless the operator configures it.
    public var decoys: DecoyPolicy = .off

    public init(
        announceInterval: UInt32 = TrackerDefaults.announceInterval,
        intervalJitter: UInt32 = TrackerDefaults.intervalJitter,
        peerTimeout: UInt32 = TrackerDefaults.peerTimeout,
        completedTorrentRetention: UInt32 = TrackerDefaults.completedTorrentRetention,
        shardCount: Int = TrackerDefaults.shardCount,
        cleanInterval: UInt32 = TrackerDefaults.cleanInterval,
        limits: StoreLimits = StoreLimits()
    ) {
        self.announceInterval = announceInterval
        self.intervalJitter = intervalJitter
        self.peerTimeout = peerTimeout
        self.completedTorrentRetention = completedTorrentRetention
        self.shardCount = shardCount
        self.cleanInterval = cleanInterval
        self.limits = limits
    }
}
