import Synchronization
import TrackerCore

/// Open HTTP connections per client network (IPv4 /32, IPv6 /64: one subscriber's prefix), shared
/// by every event loop. One lock per accept and per close, never per request; entries leave the map
/// when their count returns to zero, so it holds at most one entry per open connection.
final class HTTPAddressLimiter: Sendable {
    let limit: Int
    private let counts = Mutex<[UInt64: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// The network a peer address counts against: IPv4 addresses sit below 2^32, IPv6 /64 prefixes
    /// get the top bit set, so the families never share a key (two IPv6 prefixes that differ only
    /// in their top bit share one count: a stricter limit, never a looser one).
    static func key(_ address: PeerAddress) -> UInt64 {
        switch address {
        case .v4(let v4): UInt64(v4.rawValue)
        case .v6(let v6): v6.high | 1 << 63
        }
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
