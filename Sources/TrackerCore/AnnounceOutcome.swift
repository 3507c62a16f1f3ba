/// Counts for the reply header, taken after the announce was applied (both families combined).
public struct AnnounceOutcome: Sendable, Equatable {
    public var seeders: UInt32
    public var leechers: UInt32
    public var downloaded: UInt32
    /// Compact peers written after `offset`, decoys included.
    public var peerCount: Int
    /// How many of `peerCount` are decoys (`DecoyPolicy`), written after the real peers.
    public var decoys = 0
    /// Peer records looked at while choosing; bounded by `numWant + 2`, whatever the swarm size.
    public var examined: Int
    /// A peer already present re-announced: whole minutes since its previous announce (nil for a
    /// new peer or `stopped`). opentracker's `renew` histogram and woodpecker spotting.
    public var renewedAfterMinutes: UInt16?

    public init(seeders: UInt32, leechers: UInt32, downloaded: UInt32, peerCount: Int, examined: Int = 0) {
        self.seeders = seeders
        self.leechers = leechers
        self.downloaded = downloaded
        self.peerCount = peerCount
        self.examined = examined
    }
}
