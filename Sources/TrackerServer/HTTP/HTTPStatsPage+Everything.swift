import TrackerCore
import TrackerProtocol

/// `mode=everything`: opentracker HEAD's XML (`stats_return_everything`) element for element, so
/// exporters that read fixed XPaths (`/stats/connections/udp/missmatch`, `/stats/debug/http_error/
/// count[@code="404 Not found"]`, …) keep working; RingTracker's own figures follow in a
/// `<ringtracker>` element they do not look at.
extension HTTPStatsPage {
    func everything(_ t: Totals) -> String {
        let store = shared.store.statistics()
        let udp = shared.statistics.udpWorkers()
        let http = shared.loopStatistics
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<stats>\n"
        x += "  <tracker_id>\(shared.statistics.trackerID)</tracker_id>\n"
        x += "  <version>\nRingTracker \(RingTrackerVersion.string)\n  </version>\n"
        x += "  <uptime>\(t.uptime)</uptime>\n"
        x += "  <torrents>\n    <count_mutex>\(store.torrents)</count_mutex>\n"
        x += "    <count_iterator>\(store.torrents)</count_iterator>\n  </torrents>\n"
        x += "  <peers>\n    <count>\(store.peers4 + store.peers6)</count>\n  </peers>\n"
        x += "  <seeds>\n    <count>\(store.seeders)</count>\n  </seeds>\n"
        x += "  <completed>\n    <count>\(t.completed)</count>\n  </completed>\n"
        x += "  <connections>\n"
        x += "    <tcp>\n      <accept>\(t.tcpConnections)</accept>\n      <announce>\(t.tcpAnnounces)</announce>\n"
        x += "      <scrape>\(t.tcpScrapes)</scrape>\n    </tcp>\n"
        x += "    <udp>\n      <overall>\(t.udpPackets)</overall>\n      <connect>\(t.udpConnects)</connect>\n"
        x += "      <announce>\(t.udpAnnounces)</announce>\n      <scrape>\(t.udpScrapes)</scrape>\n"
        x += "      <missmatch>\(t.udpConnectionIDMismatches)</missmatch>\n    </udp>\n"
        // No live sync in this build: nothing received, as opentracker without WANT_SYNC_LIVE.
        x += "    <livesync>\n      <count>0</count>\n    </livesync>\n"
        x += "  </connections>\n"
        x += "  <debug>\n    <renew>\n"
        for (minute, count) in renewals().enumerated() {
            x += "      <count interval=\"\(Self.twoDigits(minute))\">\(count)</count>\n"
        }
        x += "    </renew>\n    <http_error>\n"
        for (name, count) in httpErrorCounts() { x += "      <count code=\"\(name)\">\(count)</count>\n" }
        x += "    </http_error>\n"
        // opentracker never increments its stall counter; shard locks here are never waited on for I/O.
        x += "    <mutex_stall>\n      <count>0</count>\n    </mutex_stall>\n"
        x += "  </debug>\n"
        x += "  <ringtracker>\n"
        x += "    <peers ipv4=\"\(store.peers4)\" ipv6=\"\(store.peers6)\" leechers=\"\(store.leechers)\"/>\n"
        x += "    <completed udp=\"\(udp.reduce(0) { $0 &+ $1.completed })\" http=\"\(http.total(.completed))\"/>\n"
        x += "    <udp_drops>\n"
        for drop in UDPDropReason.allCases {
            x += "      <count reason=\"\(drop.label)\">\(udp.reduce(0) { $0 &+ $1.drops(drop) })</count>\n"
        }
        x += "    </udp_drops>\n    <http_responses>\n"
        for outcome in HTTPOutcome.allCases {
            let count = HTTPAction.allCases.reduce(0) { $0 &+ http.total($1, outcome) }
            x += "      <count outcome=\"\(outcome.label)\">\(count)</count>\n"
        }
        x += "    </http_responses>\n  </ringtracker>\n"
        x += "</stats>"
        return x
    }
}
