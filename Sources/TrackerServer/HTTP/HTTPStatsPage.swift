import TrackerCore
import TrackerIO
import TrackerProtocol

/// `/stats?mode=…` in opentracker HEAD's formats (`ot_stats.c`): MRTG modes are
/// four lines (value, value, uptime, title) so existing MRTG/Munin configurations keep working;
/// titles say RingTracker where opentracker says opentracker. `tpbs` and `statedump` are streamed
/// by the full-scrape path (`HTTPTrackerHandler`), not rendered here.
struct HTTPStatsPage {
    let shared: HTTPSharedServices

    /// Counters every mode reads, summed once over UDP workers and HTTP event loops.
    struct Totals {
        var uptime: UInt32
        var udpConnects: UInt64
        var udpAnnounces: UInt64
        var udpScrapes: UInt64
        /// Every datagram: answered or dropped (opentracker's `ot_overall_udp_connections`).
        var udpPackets: UInt64
        var udpConnectionIDMismatches: UInt64
        var tcpConnections: UInt64
        var tcpAnnounces: UInt64
        var tcpScrapes: UInt64
        /// Announces with event=completed over both protocols (opentracker's `ot_overall_completed`).
        var completed: UInt64
        var fullScrapes: UInt64
        var fullScrapeBytes: UInt64

        var uptimeLine: String { "\(uptime) seconds (\(uptime / 3600) hours)" }
        /// opentracker's `conn` pair: every TCP connection and datagram; announces plus UDP connects.
        var connections: UInt64 { tcpConnections &+ udpPackets }
        var successes: UInt64 { tcpAnnounces &+ udpAnnounces &+ udpConnects }
        var connectionsTitle: String {
            "RingTracker connections, \(perSecond(connections)) conns/s :: \(perSecond(successes)) success/s."
        }
        func perSecond(_ value: UInt64) -> UInt64 { value / UInt64(max(uptime, 1)) }
    }

    func totals() -> Totals {
        let udp = shared.statistics.udpWorkers()
        let http = shared.loopStatistics
        return Totals(
            uptime: WallClock.seconds() &- shared.statistics.startedAt,
            udpConnects: udp.reduce(0) { $0 &+ $1.responses(.connect) },
            udpAnnounces: udp.reduce(0) { $0 &+ $1.responses(.announce) },
            udpScrapes: udp.reduce(0) { $0 &+ $1.responses(.scrape) },
            udpPackets: udp.reduce(0) { $0 &+ $1.totalResponses &+ $1.totalDrops },
            udpConnectionIDMismatches: udp.reduce(0) { $0 &+ $1.drops(.badConnectionID) },
            tcpConnections: http.total(.accepted),
            tcpAnnounces: http.total(.announce, .ok),
            tcpScrapes: http.total(.scrape, .ok),
            completed: http.total(.completed) &+ udp.reduce(0) { $0 &+ $1.completed },
            fullScrapes: http.total(.fullScrape, .ok),
            fullScrapeBytes: http.total(.fullScrapeBytes))
    }

    func render(_ mode: HTTPStatsMode) -> String {
        let t = totals()
        switch mode {
        case .peer:
            let store = shared.store.statistics()
            return "\(store.peers4 + store.peers6)\n\(store.seeders)\nRingTracker serving \(store.torrents) torrents\nRingTracker"
        case .torr:
            let store = shared.store.statistics()
            return "\(store.torrents)\n0\nRingTracker serving \(store.torrents) torrents\nRingTracker"
        case .conn:
            return "\(t.connections)\n\(t.successes)\n\(t.uptimeLine)\n\(t.connectionsTitle)"
        case .udp4:
            let success = t.udpAnnounces &+ t.udpConnects
            return "\(t.udpPackets)\n\(success)\n\(t.uptimeLine)\n"
                + "RingTracker udp4 stats, \(t.perSecond(t.udpPackets)) conns/s :: \(t.perSecond(success)) success/s."
        case .tcp4:
            return "\(t.tcpConnections)\n\(t.tcpAnnounces)\n\(t.uptimeLine)\n"
                + "RingTracker tcp4 stats, \(t.perSecond(t.tcpConnections)) conns/s :: \(t.perSecond(t.tcpAnnounces)) success/s."
        case .scrp:
            return "\(t.tcpScrapes)\n\(t.udpScrapes)\n\(t.uptimeLine)\n"
                + "RingTracker scrape stats, \(t.perSecond(t.tcpScrapes &+ t.udpScrapes)) scrape/s (tcp and udp)"
        case .fscr:
            // opentracker scales the count by 1000 so MRTG can graph it against bytes.
            return "\(t.fullScrapes &* 1000)\n\(t.fullScrapeBytes)\n\(t.uptimeLine)\n"
                + "RingTracker full scrape stats, \(t.perSecond(t.fullScrapes)) conns/s :: \(t.perSecond(t.fullScrapeBytes)) bytes/s."
        case .completed:
            return "\(t.completed)\n0\n\(t.uptimeLine)\n"
                + "RingTracker, \(t.completed / UInt64(max(t.uptime / 3600, 1))) completed/h."
        case .syncs:
            // Peers received from cluster nodes (0 without a cluster). The title is opentracker's,
            // which reuses the connections line here.
            let received = shared.statistics.cluster?.peersReceived.load(ordering: .relaxed) ?? 0
            return "\(received)\n0\n\(t.uptimeLine)\n\(t.connectionsTitle)"
        case .herr:
            return httpErrorLines()
        case .renew:
            return renewals().enumerated().map { minute, count in "\(Self.twoDigits(minute)) \(count)\n" }.joined()
        case .busy, .s24s:
            return busyNetworks()
        case .woodpeckers:
            return woodpeckerNetworks()
        case .fulllog:
            // opentracker logs raw requests of networks added with `lognet` (WANT_FULLLOG_NETWORKS);
            // RingTracker logs no network, so the log is always empty.
            return ""
        case .top10:
            return top(10)
        case .top100:
            return top(100)
        case .version:
            return "RingTracker \(RingTrackerVersion.string)\n"
        case .everything:
            return everything(t)
        case .tpbs, .statedump:
            return ""
        }
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Re-announces by minutes since the previous announce, over every worker and loop.
    func renewals() -> [UInt64] {
        let udp = shared.statistics.udpWorkers()
        let http = shared.loopStatistics
        return (0..<AnnounceRenewals.buckets).map { bucket in
            udp.reduce(0) { $0 &+ $1.renewed(bucket: bucket) } &+ http.reduce(0) { $0 &+ $1.renewed(bucket: bucket) }
        }
    }

    /// `Top N torrents by peers:` / `by seeds:` / `by leechers:`, each `\t<count>\t<HEX40>`.
    private func top(_ amount: Int) -> String {
        var byPeers: [(UInt64, InfoHash)] = []
        var bySeeds: [(UInt64, InfoHash)] = []
        var byLeechers: [(UInt64, InfoHash)] = []
        func insert(_ value: UInt64, _ hash: InfoHash, into list: inout [(UInt64, InfoHash)]) {
            guard value > 0, list.count < amount || value > (list.last?.0 ?? 0) else { return }
            let index = list.firstIndex { $0.0 < value } ?? list.count
            list.insert((value, hash), at: index)
            if list.count > amount { list.removeLast() }
        }
        for shard in 0..<shared.store.shardCount {
            shared.store.forEachTorrent(shard: shard) { hash, counts in
                insert(UInt64(counts.seeders) + UInt64(counts.leechers), hash, into: &byPeers)
                insert(UInt64(counts.seeders), hash, into: &bySeeds)
                insert(UInt64(counts.leechers), hash, into: &byLeechers)
            }
        }
        var text = ""
        for (title, list) in [("peers", byPeers), ("seeds", bySeeds), ("leechers", byLeechers)] {
            text += "Top \(amount) torrents by \(title):\n"
            for (value, hash) in list { text += "\t\(value)\t\(hash.hex.uppercased())\n" }
        }
        return text
    }
}
