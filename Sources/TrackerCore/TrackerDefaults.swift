/// Default tuning values, each derived from the behaviour it reproduces.
public enum TrackerDefaults {
    /// 30 min: opentracker's `OT_CLIENT_REQUEST_INTERVAL`; clients re-announce about twice per peer lifetime.
    public static let announceInterval: UInt32 = 1800
    /// ±180 s = ±10 % of the interval, so a restart's thundering herd spreads out (opentracker jitters too).
    public static let intervalJitter: UInt32 = 180
    /// 45 min = 1.5 × announceInterval: one missed announce is tolerated (opentracker `OT_PEER_TIMEOUT`).
    public static let peerTimeout: UInt32 = 2700
    /// 24 h: a torrent with downloads keeps its counter this long after its last activity (`OT_TORRENT_TIMEOUT`).
    public static let completedTorrentRetention: UInt32 = 86_400
    /// 1024 shards = opentracker's bucket count; with 2 M torrents that is ~2 k torrents per lock.
    public static let shardCount = 1024
    /// 120 s: a full cleaner sweep, matching opentracker's ~2 min cycle; also well inside the 11.4-day
    /// wrap of the 14-bit minute stamp.
    public static let cleanInterval: UInt32 = 120
    /// 120 s: BEP 15 says an ID is accepted for two minutes after it is sent; valid in its bucket and the next.
    public static let connectionIDBucket: UInt32 = 120
}
