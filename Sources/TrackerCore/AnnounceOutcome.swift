/// Counts for the reply header, taken after the announce was applied (both families combined).
public struct AnnounceOutcome: Sendable, Equatable {
    public var seeders: UInt32
    public var leechers: UInt32
    public var downloaded: UInt32
    /// Compact peers written after `offset`, decoys included.
    public var peerCount: Int
    /// How many of `peerCount` are decoys (`DecoyPolicy`), written after the real peers.
    public var decoys = 0
    /// Peer records looked at while choosing; bounded by `numWant + 1` (the requester's own record,
    /// when a window reaches it), whatever the swarm size.
    public var examined: Int
    /// Set when a limit refused the announce: nothing was stored and no peers were written.
    public var refusal: AnnounceRefusal?
    /// Peers this announce added to its family (1 for a new peer, 0 for a re-announce): the store
    /// keeps its totals from it.
    var added = 0
    /// Seeders this announce added (negative: removed), both families: the store keeps its
    /// per-shard seeder count from it.
    var seederChange = 0
    /// The change should be sent to cluster nodes: a new peer, a first completion, a seeder change,
    /// a re-announce of a record 10+ minutes old, or a stop that removed a peer.
    public var worthSyncing = false
    /// A peer already present re-announced: whole minutes since its previous announce (nil for a
    /// new peer or `stopped`). opentracker's `renew` histogram and woodpecker spotting.
    public var renewedAfterMinutes: UInt16?

    public init(
        seeders: UInt32, leechers: UInt32, downloaded: UInt32, peerCount: Int, examined: Int = 0,
        refusal: AnnounceRefusal? = nil
    ) {
        self.seeders = seeders
        self.leechers = leechers
        self.downloaded = downloaded
        self.peerCount = peerCount
        self.examined = examined
        self.refusal = refusal
    }

    static func refused(_ reason: AnnounceRefusal) -> AnnounceOutcome {
        AnnounceOutcome(seeders: 0, leechers: 0, downloaded: 0, peerCount: 0, refusal: reason)
    }
}
