import NIOPosix
import TrackerCore

/// Everything the handlers of all loops share: read-only configuration and thread-safe services.
final class HTTPSharedServices: Sendable {
    let configuration: HTTPConfiguration
    let store: TorrentStore
    let statistics: TrackerStatisticsSource
    let loopStatistics: [HTTPStatistics]
    let fullScrapeLimiter: HTTPFullScrapeLimiter
    let openConnections = AtomicCounter()
    /// Open connections per client network; nil when `maxConnectionsPerAddress` is 0.
    let addressLimiter: HTTPAddressLimiter?
    /// Where full-scrape chunks are gathered and compressed, off the event loops (started and shut
    /// down by `HTTPFront`). One thread: full scrapes share it chunk by chunk.
    let fullScrapePool = NIOThreadPool(numberOfThreads: 1)
    /// `announceInterval` ± `announceJitter`, the same policy the UDP workers use.
    let intervals: AnnounceIntervalPolicy

    init(configuration: HTTPConfiguration, store: TorrentStore, statistics: TrackerStatisticsSource, loops: Int) {
        self.configuration = configuration
        self.store = store
        self.statistics = statistics
        self.loopStatistics = (0..<max(loops, 1)).map { _ in HTTPStatistics() }
        self.fullScrapeLimiter = HTTPFullScrapeLimiter(interval: configuration.fullScrapeInterval)
        self.intervals = AnnounceIntervalPolicy(base: configuration.announceInterval, jitter: configuration.announceJitter)
        self.addressLimiter = configuration.maxConnectionsPerAddress > 0
            ? HTTPAddressLimiter(limit: configuration.maxConnectionsPerAddress) : nil
    }
}
