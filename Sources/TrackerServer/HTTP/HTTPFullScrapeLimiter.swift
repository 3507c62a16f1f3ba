import Synchronization
import TrackerCore

/// One full scrape per client address per interval (opentracker's `WANT_MODEST_FULLSCRAPES`, which
/// answers 402 after 300 s; we answer 429 with Retry-After). Full scrapes are rare and expensive,
/// so a mutex-guarded map is fine here; it is never touched by announce or scrape.
final class HTTPFullScrapeLimiter: Sendable {
    let interval: UInt32
    private let lastScrape = Mutex<[PeerAddress: UInt32]>([:])
    /// Beyond this many remembered clients, entries older than the interval are swept.
    private static let sweepThreshold = 4096

    init(interval: UInt32) {
        self.interval = interval
    }

    /// nil when the client may scrape now (and records it), else the seconds to wait.
    func admit(_ address: PeerAddress, now: UInt32) -> UInt32? {
        lastScrape.withLock { last in
            if let previous = last[address], now &- previous < interval {
                return max(interval - (now &- previous), 1)
            }
            if last.count >= Self.sweepThreshold {
                last = last.filter { now &- $0.value < interval }
            }
            last[address] = now
            return nil
        }
    }
}
