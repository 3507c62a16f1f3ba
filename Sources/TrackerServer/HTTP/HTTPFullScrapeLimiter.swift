import Synchronization
import TrackerCore

/// One full scrape per client network (IPv4 /32, IPv6 /64) per interval (opentracker's
/// `WANT_MODEST_FULLSCRAPES`, which answers 402 after 300 s; we answer 429 with Retry-After).
///
/// Two generations of at most `capacity` networks each, the older dropped whole when a new one
/// starts every `interval`: an admission is O(1) (opentracker's list, and our earlier single map
/// swept past 4,096 entries, slowed down as clients accumulated), and memory stays bounded however
/// many addresses a client cycles through. Full scrapes are rare and expensive, so one mutex is fine;
/// announce and scrape never touch it.
final class HTTPFullScrapeLimiter: Sendable {
    let interval: UInt32
    /// Networks remembered per generation; when the current one is full, unknown networks wait for
    /// the next generation (429), so a flood of fresh addresses cannot grow memory.
    let capacity: Int
    private let state = Mutex<State>(State())

    private struct State {
        var current: [UInt64: UInt32] = [:]
        var previous: [UInt64: UInt32] = [:]
        var generationStart: UInt32?
    }

    init(interval: UInt32, capacity: Int = 65536) {
        self.interval = interval
        self.capacity = max(capacity, 1)
    }

    /// nil when the client may scrape now (and records it), else the seconds to wait.
    func admit(_ address: PeerAddress, now: UInt32) -> UInt32? {
        let key = address.networkKey
        let interval = max(self.interval, 1)
        return state.withLock { state in
            let start = state.generationStart ?? now
            if now &- start >= interval {
                // Everything in `previous` is now older than one interval; two intervals past, so is `current`.
                state.previous = now &- start >= 2 * interval ? [:] : state.current
                state.current = [:]
                state.generationStart = now
            } else if state.generationStart == nil {
                state.generationStart = now
            }
            if let last = state.current[key] ?? state.previous[key], now &- last < interval {
                return max(interval - (now &- last), 1)
            }
            guard state.current.count < capacity else {
                return max(interval - (now &- (state.generationStart ?? now)), 1)
            }
            state.current[key] = now
            return nil
        }
    }

    /// Networks remembered now, both generations (tests).
    var rememberedNetworks: Int { state.withLock { $0.current.count + $0.previous.count } }
}
