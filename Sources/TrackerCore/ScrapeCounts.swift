/// One torrent's scrape triple (BEP 15 order is seeders, completed, leechers).
public struct ScrapeCounts: Sendable, Equatable {
    public var seeders: UInt32
    public var leechers: UInt32
    public var downloaded: UInt32

    public init(seeders: UInt32 = 0, leechers: UInt32 = 0, downloaded: UInt32 = 0) {
        self.seeders = seeders
        self.leechers = leechers
        self.downloaded = downloaded
    }

    public static let zero = ScrapeCounts()
}
