import Synchronization
import TrackerCore

/// Open HTTP connections per client network (`PeerAddress.networkKey`: IPv4 /32, IPv6 /64), shared
/// by every event loop. One lock per accept and per close, never per request; entries leave the map
/// when their count returns to zero, so it holds at most one entry per open connection.
final class HTTPAddressLimiter: Sendable {
    let limit: Int
    private let counts = Mutex<[UInt64: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection for `key`; false (and nothing counted) when it already has `limit`.
    func acquire(_ key: UInt64) -> Bool {
        counts.withLock { counts in
            let open = counts[key, default: 0]
            guard open < limit else { return false }
            counts[key] = open + 1
            return true
        }
    }

    func release(_ key: UInt64) {
        counts.withLock { counts in
            guard let open = counts[key] else { return }
            counts[key] = open > 1 ? open - 1 : nil
        }
    }

    /// Networks with at least one open connection (tests).
    var trackedNetworks: Int { counts.withLock { $0.count } }
}
