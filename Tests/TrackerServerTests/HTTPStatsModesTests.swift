import Foundation
import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
@testable import TrackerServer

/// One golden answer per `/stats` mode, built from opentracker HEAD's formats (`ot_stats.c`,
/// ot_stats.c), against a tracker whose every counter is known: UDP counters are published
/// by hand, HTTP traffic goes over one keep-alive connection (so exactly one TCP accept).
@Suite("/stats modes, golden")
struct HTTPStatsModesTests {
    let udp = UDPStatistics()
    let server: HTTPTestServer
    let client: HTTPTestClient
    let torrent = InfoHash(bytes: hashBytes(70))
    /// Two hours and some: the uptime line reads "… (2 hours)" however the seconds tick.
    let started = WallClock.seconds() - 7300
    /// The body of the one full scrape made before the checks.
    let fullScrapeBody: [UInt8]

    init() throws {
        var local = UDPLocalCounters()
        local.responses[UDPOutcome.connect.rawValue] = 3
        local.responses[UDPOutcome.announce.rawValue] = 5
        local.responses[UDPOutcome.scrape.rawValue] = 2
        local.drops[UDPDropReason.badConnectionID.rawValue] = 4
        local.completed = 1
        local.renewals[31] = 2
        udp.publish(local)
        for _ in 0..<3 { udp.woodpeckers.record(IPv4Address(10, 1, 2, 3), now: WallClock.seconds()) }
        server = try HTTPTestServer(udp: [udp], startedAt: started, trackerID: 123_456)
        client = try server.client()
        let hash = hashBytes(70)
        #expect(try client.get(announcePath(hash, port: 1, left: 0, extra: "&event=completed"), keepAlive: true).status == 200)
        #expect(try client.get(announcePath(hash, port: 2, left: 5), keepAlive: true).status == 200)
        #expect(try client.get(announcePath(hash, port: 1, left: 0), keepAlive: true).status == 200)
        #expect(try client.get("/scrape?info_hash=\(percentEncoded(hash))", keepAlive: true).status == 200)
        #expect(try client.get("/favicon.ico", keepAlive: true).status == 404)
        fullScrapeBody = try client.get("/scrape", keepAlive: true).body
    }

    func stats(_ query: String) throws -> HTTPTestResponse {
        let response = try client.get("/stats?\(query)", keepAlive: true)
        #expect(response.status == 200, "\(query)")
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true || query.hasPrefix("mode=tpbs"), "\(query)")
        return response
    }

    /// MRTG: value, value, uptime, title.
    func mrtg(_ mode: String) throws -> [String] {
        let lines = try stats("mode=\(mode)").text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 4, "mode \(mode): \(lines)")
        if lines.count == 4, !["peer", "torr"].contains(mode) {
            #expect(lines[2].hasSuffix(" seconds (2 hours)") && UInt32(lines[2].prefix { $0 != " " }) != nil, "\(mode): \(lines[2])")
        }
        return lines
    }

    @Test("MRTG modes: peer, torr, conn, udp4, tcp4, scrp, fscr, completed, syncs")
    func mrtgModes() throws {
        #expect(try mrtg("peer") == ["2", "1", "RingTracker serving 1 torrents", "RingTracker"])
        #expect(try mrtg("torr") == ["1", "0", "RingTracker serving 1 torrents", "RingTracker"])
        // 1 TCP connection + 14 datagrams (10 answered, 4 dropped); 3 HTTP + 5 UDP announces + 3 connects.
        let conn = try mrtg("conn")
        #expect(conn[0] == "15" && conn[1] == "11" && conn[3] == "RingTracker connections, 0 conns/s :: 0 success/s.")
        let udp4 = try mrtg("udp4")
        #expect(udp4[0] == "14" && udp4[1] == "8" && udp4[3] == "RingTracker udp4 stats, 0 conns/s :: 0 success/s.")
        let tcp4 = try mrtg("tcp4")
        #expect(tcp4[0] == "1" && tcp4[1] == "3" && tcp4[3] == "RingTracker tcp4 stats, 0 conns/s :: 0 success/s.")
        let scrp = try mrtg("scrp")
        #expect(scrp[0] == "1" && scrp[1] == "2" && scrp[3] == "RingTracker scrape stats, 0 scrape/s (tcp and udp)")
        let fscr = try mrtg("fscr")
        #expect(fscr[0] == "1000" && fscr[1] == "\(fullScrapeBody.count)")
        #expect(fscr[3] == "RingTracker full scrape stats, 0 conns/s :: 0 bytes/s.")
        // One HTTP and one UDP event=completed; 2 per 2 hours.
        let completed = try mrtg("completed")
        #expect(completed[0] == "2" && completed[1] == "0" && completed[3] == "RingTracker, 1 completed/h.")
        let syncs = try mrtg("syncs")
        #expect(syncs[0] == "0" && syncs[1] == "0" && syncs[3] == "RingTracker connections, 0 conns/s :: 0 success/s.")
    }

    @Test("herr: opentracker's seven labels, each with the count it names")
    func httpErrors() throws {
        #expect(try stats("mode=herr").text == "302 RED 0\n400 ... 0\n400 PAR 0\n400 COM 0\n403 IP  0\n404 INV 1\n500 SRV 0\n")
    }

    @Test("renew: 45 lines, minutes since the previous announce")
    func renew() throws {
        let lines = try stats("mode=renew").text.split(separator: "\n").map(String.init)
        var expected = (0..<45).map { String(format: "%02d 0", $0) }
        expected[0] = "00 1"  // the HTTP re-announce of port 1, at once
        expected[31] = "31 2"  // the UDP workers' count
        #expect(lines == expected)
    }

    @Test("s24s and busy: peers per /28 and /24; woodpeckers: fast re-announcers per /28")
    func networks() throws {
        let s24s = "Networks, limit /28:\n00000002: 127.0.0.0\n\nNetworks, limit /24:\n00000002: 127.0.0.0\n\n"
        #expect(try stats("mode=s24s").text == s24s)
        #expect(try stats("mode=busy").text == s24s)
        #expect(try stats("mode=woodpeckers").text == "Networks, limit /28:\n00000003: 10.1.2.0\n\n")
    }

    @Test("top10, top100, version, fulllog")
    func textModes() throws {
        let hex = torrent.hex.uppercased()
        #expect(try stats("mode=top10").text
            == "Top 10 torrents by peers:\n\t2\t\(hex)\nTop 10 torrents by seeds:\n\t1\t\(hex)\nTop 10 torrents by leechers:\n\t1\t\(hex)\n")
        #expect(try stats("mode=top100").text.hasPrefix("Top 100 torrents by peers:\n\t2\t\(hex)\n"))
        #expect(try stats("mode=version").text == "RingTracker \(RingTrackerVersion.string)\n")
        #expect(try stats("mode=fulllog").body.isEmpty)
    }

    @Test("tpbs in every format, and statedump, list the torrent")
    func dumps() throws {
        let hex = torrent.hex.uppercased()
        #expect(try stats("mode=tpbs&format=txt").text == "\(hex):1:1\n")
        #expect(try stats("mode=tpbs&format=txtp").text == "\(hex):1:1:1\n")
        #expect(try stats("mode=tpbs&format=bin").body == torrent.bytes + [0, 0, 0, 1, 0, 0, 0, 1])
        let url = try stats("mode=tpbs&format=url").text
        #expect(url.hasSuffix(":1:1\n") && HTTPQuery.percentDecoded(Array(url.dropLast(5).utf8)[...]) == torrent.bytes)
        #expect(try stats("mode=tpbs").body == fullScrapeBody, "no format: ben, where opentracker hangs")
        let dump = try stats("mode=statedump").text
        let fields = dump.dropLast().split(separator: ":")
        #expect(dump.hasSuffix("\n") && fields.count == 3 && fields[0] == hex && fields[2] == "1")
        let minutes = UInt32(fields[1]) ?? 0
        #expect(WallClock.seconds() / 60 - minutes <= 1, "base is the last activity in minutes")
        #expect(try client.get("/stats?mode=tpbs&format=xml", keepAlive: true).status == 400)
    }

    @Test("everything: opentracker's XML element for element, RingTracker's figures after it")
    func everything() throws {
        var text = try stats("mode=everything").text
        let uptime = try #require(text.range(of: #"<uptime>\d+</uptime>"#, options: .regularExpression))
        text.replaceSubrange(uptime, with: "<uptime>U</uptime>")
        let renew = (0..<45).map { minute in
            let count = minute == 0 ? 1 : minute == 31 ? 2 : 0
            return "      <count interval=\"\(String(format: "%02d", minute))\">\(count)</count>\n"
        }.joined()
        let opentracker = """
            <?xml version="1.0" encoding="UTF-8"?>
            <stats>
              <tracker_id>123456</tracker_id>
              <version>
            RingTracker \(RingTrackerVersion.string)
              </version>
              <uptime>U</uptime>
              <torrents>
                <count_mutex>1</count_mutex>
                <count_iterator>1</count_iterator>
              </torrents>
              <peers>
                <count>2</count>
              </peers>
              <seeds>
                <count>1</count>
              </seeds>
              <completed>
                <count>2</count>
              </completed>
              <connections>
                <tcp>
                  <accept>1</accept>
                  <announce>3</announce>
                  <scrape>1</scrape>
                </tcp>
                <udp>
                  <overall>14</overall>
                  <connect>3</connect>
                  <announce>5</announce>
                  <scrape>2</scrape>
                  <missmatch>4</missmatch>
                </udp>
                <livesync>
                  <count>0</count>
                </livesync>
              </connections>
              <debug>
                <renew>

            """ + renew + """
                </renew>
                <http_error>
                  <count code="302 Redirect">0</count>
                  <count code="400 Parse Error">0</count>
                  <count code="400 Invalid Parameter">0</count>
                  <count code="400 Invalid Parameter (compact=0)">0</count>
                  <count code="400 Not Modest">0</count>
                  <count code="402 Payment Required">0</count>
                  <count code="403 Access Denied">0</count>
                  <count code="404 Not found">1</count>
                  <count code="500 Internal Server Error">0</count>
                </http_error>
                <mutex_stall>
                  <count>0</count>
                </mutex_stall>
              </debug>
              <ringtracker>

            """
        #expect(text.hasPrefix(opentracker), "\(text)")
        #expect(text.contains("<completed udp=\"1\" http=\"1\"/>"))
        #expect(text.contains("<count reason=\"bad_connection_id\">4</count>"))
        #expect(text.hasSuffix("  </ringtracker>\n</stats>"))
    }
}

@Suite("/metrics and /stats agree")
struct MetricsStatsAgreementTests {
    /// The value of one exposition line, e.g. `ringtracker_torrents 3`.
    func metric(_ text: String, _ series: String) -> UInt64 {
        text.split(separator: "\n").filter { $0.hasPrefix(series) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) }.map { UInt64($0) } }.reduce(0, +)
    }

    func element(_ xml: String, _ path: [String]) -> UInt64? {
        var rest = Substring(xml)
        for name in path {
            guard let open = rest.range(of: "<\(name)>") else { return nil }
            rest = rest[open.upperBound...]
        }
        return UInt64(rest.prefix { $0 != "<" })
    }

    @Test("Torrents, peers, seeders, completions, announces and scrapes are the same totals on both pages")
    func totalsAgree() throws {
        let workers = [UDPStatistics(), UDPStatistics()]
        for (index, worker) in workers.enumerated() {
            var local = UDPLocalCounters()
            local.responses[UDPOutcome.connect.rawValue] = UInt64(10 + index)
            local.responses[UDPOutcome.announce.rawValue] = UInt64(20 + index)
            local.responses[UDPOutcome.scrape.rawValue] = UInt64(5 + index)
            local.completed = UInt64(3 + index)
            worker.publish(local)
        }
        let server = try HTTPTestServer(udp: workers)
        let client = try server.client()
        for n in 0..<6 {
            let event = n % 2 == 0 ? "&event=completed" : ""
            #expect(try client.get(announcePath(hashBytes(UInt8(80 + n % 3)), port: 10 + n, left: n % 2, extra: event), keepAlive: true).status == 200)
        }
        #expect(try client.get("/scrape?info_hash=\(percentEncoded(hashBytes(80)))", keepAlive: true).status == 200)
        let xml = try client.get("/stats?mode=everything", keepAlive: true).text
        let metrics = try client.get("/metrics", keepAlive: true).text

        let pairs: [([String], String, UInt64)] = [
            (["torrents", "count_mutex"], "ringtracker_torrents", 3),
            (["peers", "count"], "ringtracker_peers{", 6),
            (["seeds", "count"], "ringtracker_seeders", 3),
            (["completed", "count"], "ringtracker_completed_total{", 3 + 7),
            (["connections", "udp", "connect"], #"ringtracker_responses_total{protocol="udp",action="connect""#, 21),
            (["connections", "udp", "announce"], #"ringtracker_responses_total{protocol="udp",action="announce",outcome="ok""#, 41),
            (["connections", "udp", "scrape"], #"ringtracker_responses_total{protocol="udp",action="scrape""#, 11),
            (["connections", "tcp", "announce"], #"ringtracker_responses_total{protocol="http",action="announce",outcome="ok""#, 6),
            (["connections", "tcp", "scrape"], #"ringtracker_responses_total{protocol="http",action="scrape",outcome="ok""#, 1),
            (["connections", "tcp", "accept"], #"ringtracker_http_connections_total{event="accepted"}"#, 1),
        ]
        for (path, series, expected) in pairs {
            #expect(element(xml, path) == expected, "/stats \(path)")
            #expect(metric(metrics, series) == expected, "/metrics \(series)")
        }
        let completed = try client.get("/stats?mode=completed", keepAlive: true).text.split(separator: "\n")
        #expect(completed.first == "10")
    }
}
