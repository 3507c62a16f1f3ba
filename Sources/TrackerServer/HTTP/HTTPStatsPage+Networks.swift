import TrackerCore
import TrackerIO

/// The text modes that list networks or error counts (`ot_stats.c`: `stats_return_busy_networks`,
/// `stats_httperrors_txt`).
extension HTTPStatsPage {
    /// opentracker lists at most 128 networks per block.
    static let networkListLength = 128

    /// `s24s` (and `busy`, which opentracker never implemented): IPv4 peers per /28 and per /24,
    /// the busiest 128 networks of each, as `%08d: network` lines under `Networks, limit /N:`, each
    /// block followed by an empty line.
    func busyNetworks() -> String {
        var by28: [UInt32: UInt64] = [:]
        let now = WallClock.seconds()
        for shard in 0..<shared.store.shardCount {
            shared.store.forEachPeer(shard: shard, now: now) { address, _ in
                if let address { by28[address.rawValue & 0xFFFF_FFF0, default: 0] += 1 }
            }
        }
        var by24: [UInt32: UInt64] = [:]
        for (network, count) in by28 { by24[network & 0xFFFF_FF00, default: 0] += count }
        return Self.networkBlock(by28, prefix: 28) + Self.networkBlock(by24, prefix: 24)
    }

    /// `woodpeckers`: /28 networks whose peers re-announced after less than 20 minutes, counts
    /// halved every 2 minutes (opentracker's WANT_SPOT_WOODPECKER list).
    func woodpeckerNetworks() -> String {
        var totals: [UInt32: UInt64] = [:]
        for worker in shared.statistics.udpWorkers() { worker.woodpeckers.collect(into: &totals) }
        for loop in shared.loopStatistics { loop.woodpeckers.collect(into: &totals) }
        return Self.networkBlock(totals, prefix: 28)
    }

    /// Busiest first; ties by address so the output is stable.
    static func networkBlock(_ counts: [UInt32: UInt64], prefix: Int) -> String {
        let busiest = counts.filter { $0.value > 0 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(networkListLength)
        var text = "Networks, limit /\(prefix):\n"
        for (network, count) in busiest {
            let digits = String(count)
            let address = [24, 16, 8, 0].map { String(network >> UInt32($0) & 0xFF) }.joined(separator: ".")
            text += String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ": " + address + "\n"
        }
        return text + "\n"
    }

    /// HTTP error counts in opentracker's order and names (its `ot_failed_request_names`), each from
    /// the RingTracker outcome that means the same. compact=0 is served and "Not Modest" is never
    /// issued, so those stay 0; opentracker's 402 for repeated full scrapes is RingTracker's 429; its
    /// 500 for an oversized request is RingTracker's 431.
    func httpErrorCounts() -> [(name: String, count: UInt64)] {
        let http = shared.loopStatistics
        func outcome(_ outcome: HTTPOutcome) -> UInt64 { HTTPAction.allCases.reduce(0) { $0 &+ http.total($1, outcome) } }
        return [
            ("302 Redirect", outcome(.redirect)),
            ("400 Parse Error", http.total(.malformed)),
            ("400 Invalid Parameter", outcome(.badRequest)),
            ("400 Invalid Parameter (compact=0)", 0),
            ("400 Not Modest", 0),
            ("402 Payment Required", outcome(.tooManyRequests)),
            ("403 Access Denied", outcome(.forbidden)),
            ("404 Not found", outcome(.notFound)),
            ("500 Internal Server Error", outcome(.headTooLarge)),
        ]
    }

    /// `herr`: opentracker's seven short labels. opentracker prints its first seven counters under
    /// them, so its last three lines carry the wrong numbers (opentracker HEAD's ot_stats.c); here each line
    /// carries the count its label names.
    func httpErrorLines() -> String {
        let counts = Dictionary(uniqueKeysWithValues: httpErrorCounts().map { ($0.name, $0.count) })
        let lines: [(String, String)] = [
            ("302 RED", "302 Redirect"), ("400 ...", "400 Parse Error"), ("400 PAR", "400 Invalid Parameter"),
            ("400 COM", "400 Invalid Parameter (compact=0)"), ("403 IP ", "403 Access Denied"),
            ("404 INV", "404 Not found"), ("500 SRV", "500 Internal Server Error"),
        ]
        return lines.map { label, name in "\(label) \(counts[name] ?? 0)\n" }.joined()
    }
}
