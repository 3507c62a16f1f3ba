/// Totals over every shard; each shard is read under its own lock, so the sum is not one instant.
public struct StoreStatistics: Sendable, Equatable {
    public var torrents: Int
    public var peers4: Int
    public var peers6: Int
    public var seeders: Int
    public var leechers: Int

    public init(torrents: Int = 0, peers4: Int = 0, peers6: Int = 0, seeders: Int = 0, leechers: Int = 0) {
        self.torrents = torrents
        self.peers4 = peers4
        self.peers6 = peers6
        self.seeders = seeders
        self.leechers = leechers
    }

    public var peers: Int { peers4 + peers6 }
}
