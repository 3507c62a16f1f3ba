import TrackerCore
import TrackerProtocol

/// `/stats?mode=…` in opentracker's formats (opentracker.md §4): MRTG modes are four lines
/// (value, value, uptime, title) so existing MRTG/Munin configurations keep working.
struct HTTPStatsPage {
    let shared: HTTPShared

    func render(_ mode: HTTPStatsMode) -> String {
        let now = WallClock.seconds()
        let uptime = now &- shared.statistics.startedAt
        let uptimeLine = "\(uptime) seconds (\(uptime / 3600) hours)"
        let udp = shared.statistics.udpWorkers()
        let http = shared.loopStatistics
        let udpConnects = udp.reduce(0) { $0 &+ $1.responses(.connect) }
        let udpAnnounces = udp.reduce(0) { $0 &+ $1.responses(.announce) }
        let udpScrapes = udp.reduce(0) { $0 &+ $1.responses(.scrape) }
        let udpPackets = udp.reduce(0) { $0 &+ $1.totalResponses &+ $1.totalDrops }
        let tcpConnections = http.total(.accepted)
        let tcpAnnounces = http.total(.announce, .ok)
        let tcpScrapes = http.total(.scrape, .ok)
        func perSecond(_ value: UInt64) -> UInt64 { value / UInt64(max(uptime, 1)) }

        switch mode {
        case .peer:
            let totals = shared.store.statistics()
            return "\(totals.peers4 + totals.peers6)\n\(totals.seeders)\nRingTracker serving \(totals.torrents) torrents\nRingTracker"
        case .torr:
            let totals = shared.store.statistics()
            return "\(totals.torrents)\n0\nRingTracker serving \(totals.torrents) torrents\nRingTracker"
        case .conn:
            let connections = tcpConnections &+ udpPackets
            let success = tcpAnnounces &+ udpAnnounces &+ udpConnects
            return "\(connections)\n\(success)\n\(uptimeLine)\n"
                + "RingTracker connections, \(perSecond(connections)) conns/s :: \(perSecond(success)) success/s."
        case .udp4:
            let success = udpAnnounces &+ udpConnects
            return "\(udpPackets)\n\(success)\n\(uptimeLine)\n"
                + "RingTracker udp4 stats, \(perSecond(udpPackets)) conns/s :: \(perSecond(success)) success/s."
        case .tcp4:
            return "\(tcpConnections)\n\(tcpAnnounces)\n\(uptimeLine)\n"
                + "RingTracker tcp4 stats, \(perSecond(tcpConnections)) conns/s :: \(perSecond(tcpAnnounces)) success/s."
        case .scrp:
            return "\(tcpScrapes)\n\(udpScrapes)\n\(uptimeLine)\n"
                + "RingTracker scrape stats, \(perSecond(tcpScrapes &+ udpScrapes)) scrape/s (tcp and udp)"
        case .completed:
            let completed = totalDownloaded()
            return "\(completed)\n0\n\(uptimeLine)\nRingTracker, \(completed / UInt64(max(uptime / 3600, 1))) completed/h."
        case .top10:
            return top(10)
        case .top100:
            return top(100)
        case .version:
            return "RingTracker \(RingTrackerVersion.string)\n"
        case .syncs:
            return (shared.statistics.cluster ?? ClusterStatistics()).syncsText(uptimeSeconds: uptime)
        case .everything:
            return everything(uptime: uptime, udpConnects: udpConnects, udpAnnounces: udpAnnounces, udpScrapes: udpScrapes,
                              udpPackets: udpPackets)
        }
    }

    /// Sum of `downloaded` over live torrents: completions the store still remembers (torrents
    /// with downloads are kept 24 h after their last peer).
    private func totalDownloaded() -> UInt64 {
        var total: UInt64 = 0
        for shard in 0..<shared.store.shardCount {
            shared.store.forEachTorrent(shard: shard) { _, counts in total &+= UInt64(counts.downloaded) }
        }
        return total
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

    private func everything(
        uptime: UInt32, udpConnects: UInt64, udpAnnounces: UInt64, udpScrapes: UInt64, udpPackets: UInt64
    ) -> String {
        let totals = shared.store.statistics()
        let http = shared.loopStatistics
        var errors = ""
        for outcome in HTTPOutcome.allCases where outcome != .ok {
            let count = HTTPAction.allCases.reduce(0) { $0 &+ http.total($1, outcome) }
            errors += "      <count code=\"\(outcome.label)\">\(count)</count>\n"
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <stats>
              <version>RingTracker \(RingTrackerVersion.string)</version>
              <uptime>\(uptime)</uptime>
              <torrents>
                <count_mutex>\(totals.torrents)</count_mutex>
                <count_iterator>\(totals.torrents)</count_iterator>
              </torrents>
              <peers>
                <count>\(totals.peers4 + totals.peers6)</count>
              </peers>
              <seeds>
                <count>\(totals.seeders)</count>
              </seeds>
              <completed>
                <count>\(totalDownloaded())</count>
              </completed>
              <connections>
                <tcp>
                  <accept>\(http.total(.accepted))</accept>
                  <announce>\(http.total(.announce, .ok))</announce>
                  <scrape>\(http.total(.scrape, .ok))</scrape>
                </tcp>
                <udp>
                  <overall>\(udpPackets)</overall>
                  <connect>\(udpConnects)</connect>
                  <announce>\(udpAnnounces)</announce>
                  <scrape>\(udpScrapes)</scrape>
                </udp>
              </connections>
              <debug>
                <http_error>
            \(errors)    </http_error>
              </debug>
            </stats>
            """
    }
}
