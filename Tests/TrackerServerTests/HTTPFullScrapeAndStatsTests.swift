import CZlib
import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
@testable import TrackerServer

/// zlib inflate with gzip wrapper detection (windowBits 15 + 32).
func gunzip(_ input: [UInt8]) -> [UInt8]? {
    var stream = z_stream()
    guard inflateInit2_(&stream, 47, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var input = input
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    return input.withUnsafeMutableBufferPointer { inBuffer -> [UInt8]? in
        stream.next_in = inBuffer.baseAddress
        stream.avail_in = UInt32(inBuffer.count)
        while true {
            let (status, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let status = inflate(&stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.avail_out))
            }
            output += chunk[0..<produced]
            if status == Z_STREAM_END { return output }
            if status != Z_OK { return nil }
        }
    }
}

@Suite("HTTP full scrape, stats and metrics")
struct HTTPFullScrapeAndStatsTests {
    /// `count` torrents over 16 shards, with varied counts.
    func populate(_ server: HTTPTestServer, count: Int = 300) throws -> [InfoHash: ScrapeCounts] {
        var rng = Xoshiro256(seed: 9)
        var expected: [InfoHash: ScrapeCounts] = [:]
        for n in 0..<count {
            let bytes = (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let hash = InfoHash(bytes: bytes)
            var buffer = [UInt8](repeating: 0, count: 64)
            for peer in 0...(n % 3) {
                var span = buffer.mutableSpan
                var raw = span.mutableBytes
                _ = server.store.announce(
                    Announce(infoHash: hash, event: .none, isSeeder: peer == 0, numWant: 0),
                    // A network per torrent: one network may only create so many torrents a minute.
                    from: .v4(IPv4Address(rawValue: 0x0A00_0000 | UInt32(n) << 2 | UInt32(peer)), port: 1),
                    now: WallClock.seconds(),
                    rng: &rng, peers: &raw, at: 0)
            }
            expected[hash] = server.store.scrape(hash)
        }
        return expected
    }

    func parseBen(_ body: [UInt8]) -> [InfoHash: ScrapeCounts]? {
        let prefix = Array("d5:filesd".utf8)
        guard body.starts(with: prefix), body.suffix(2) == Array("ee".utf8)[...] else { return nil }
        var result: [InfoHash: ScrapeCounts] = [:]
        var index = prefix.count
        func number(after key: String) -> UInt32? {
            let marker = Array(key.utf8)
            guard Array(body[index..<min(index + marker.count, body.count)]) == marker else { return nil }
            index += marker.count
            var value: UInt32 = 0
            while body[index] != UInt8(ascii: "e") {
                value = value * 10 + UInt32(body[index] - 48)
                index += 1
            }
            index += 1
            return value
        }
        while index < body.count - 2 {
            guard Array(body[index..<(index + 3)]) == Array("20:".utf8) else { return nil }
            let hash = InfoHash(bytes: Array(body[(index + 3)..<(index + 23)]))
            index += 23
            guard let seeders = number(after: "d8:completei"), let downloaded = number(after: "10:downloadedi"),
                let leechers = number(after: "10:incompletei"), body[index] == UInt8(ascii: "e")
            else { return nil }
            index += 1
            result[hash] = ScrapeCounts(seeders: seeders, leechers: leechers, downloaded: downloaded)
        }
        return result
    }

    @Test("a gzip full scrape is chunked, inflates with zlib and matches the store")
    func gzipFullScrape() throws {
        let server = try HTTPTestServer()
        let expected = try populate(server)
        let response = try server.client().get("/scrape", headers: ["Accept-Encoding: gzip, deflate"])
        #expect(response.status == 200)
        #expect(response.header("Content-Encoding") == "gzip")
        #expect(response.header("Transfer-Encoding")?.lowercased() == "chunked")
        let body = try #require(gunzip(response.body))
        #expect(parseBen(body) == expected)
    }

    @Test("requests pipelined behind a keep-alive full scrape are answered after it, in order")
    func pipelinedBehindFullScrape() throws {
        // The daemon's shard count, so the body goes out in ~64 KiB chunks as in production.
        let server = try HTTPTestServer(shardCount: 1024)
        // ~6 MB of body, and the client reads nothing until the server's socket buffer is full
        // (Linux: tcp_wmem max 4 MiB) and its output stops growing: the scrape is then stuck
        // mid-body, and the requests behind it were decoded from the same read.
        let expected = try populate(server, count: 80000)
        let client = try HTTPTestClient(address: server.address, receiveBuffer: 4096)
        let announce = announcePath(hashBytes(3), port: 7, left: 0)
        client.send("GET /scrape HTTP/1.1\r\nHost: x\r\n\r\nGET \(announce) HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n")
        var sent: UInt64 = 0
        for _ in 0..<250 {
            usleep(20_000)
            let now = server.front.loopStatistics.total(.bytesOut)
            if now > 0 && now == sent { break }
            sent = now
        }
        let scrape = try client.readResponse()
        #expect(scrape.status == 200 && scrape.header("Transfer-Encoding")?.lowercased() == "chunked")
        #expect(parseBen(scrape.body) == expected)
        let second = try client.readResponse()
        #expect(second.status == 200 && second.text.hasPrefix("d8:complete"))
        #expect(try client.readResponse().status == 404)
        // Reading resumed: the connection still serves.
        #expect(try client.get("/favicon.ico", keepAlive: true).status == 404)
    }

    @Test("an HTTP/1.0 full scrape is sent unchunked until the connection closes")
    func http10FullScrape() throws {
        let server = try HTTPTestServer()
        let expected = try populate(server)
        let client = try server.client()
        client.send("GET /scrape HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("Transfer-Encoding") == nil && response.header("Connection") == "close")
        #expect(parseBen(response.body) == expected)
    }

    @Test("a plain full scrape in ben and txt formats lists every torrent")
    func plainFullScrape() throws {
        let server = try HTTPTestServer { $0.statsAllowed = { _ in true } }
        let expected = try populate(server)
        let ben = try server.client().get("/scrape")
        #expect(ben.header("Content-Encoding") == nil)
        #expect(parseBen(ben.body) == expected)
        let txt = try server.client().get("/scrape?format=txt")
        let lines = txt.text.split(separator: "\n")
        #expect(lines.count == expected.count)
        for line in lines {
            let fields = line.split(separator: ":")
            let counts = InfoHash(hex: fields[0]).flatMap { expected[$0] }
            #expect(fields[0] == fields[0].uppercased())
            #expect(counts.map { "\($0.seeders):\($0.leechers)" } == "\(fields[1]):\(fields[2])")
        }
        #expect(try server.client().get("/scrape?format=xml").status == 400)
    }

    @Test("a second full scrape within the interval gets 429 with Retry-After, stats addresses are exempt")
    func fullScrapeRateLimit() throws {
        let limited = try HTTPTestServer { $0.statsAllowed = { _ in false } }
        #expect(try limited.client().get("/scrape").status == 200)
        let again = try limited.client().get("/scrape")
        #expect(again.status == 429)
        #expect(again.header("Retry-After").flatMap { Int($0) }.map { (1...60).contains($0) } == true)
        let exempt = try HTTPTestServer()
        #expect(try exempt.client().get("/scrape").status == 200)
        #expect(try exempt.client().get("/scrape").status == 200)
        let off = try HTTPTestServer { $0.fullScrapeInterval = 0 }
        #expect(try off.client().get("/scrape").status == 404)
    }

    @Test("stats modes answer opentracker's shapes, unknown modes 400, strangers 403")
    func statsModes() throws {
        let server = try HTTPTestServer()
        _ = try server.client().get(announcePath(hashBytes(20), port: 1, left: 0))
        _ = try server.client().get(announcePath(hashBytes(20), port: 2, left: 5))
        let peer = try server.client().get("/stats")
        #expect(peer.status == 200)
        #expect(peer.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            == ["2", "1", "RingTracker serving 1 torrents", "RingTracker"])
        for mode in ["torr", "conn", "udp4", "tcp4", "scrp", "completed"] {
            let lines = try server.client().get("/stats?mode=\(mode)").text.split(separator: "\n")
            #expect(lines.count == 4, "mode \(mode)")
            #expect(UInt64(lines[0]) != nil && UInt64(lines[1]) != nil, "mode \(mode)")
        }
        let tcp = try server.client().get("/stats?mode=tcp4").text.split(separator: "\n")
        #expect(UInt64(tcp[1]).map { $0 >= 2 } == true)
        let top = try server.client().get("/stats?mode=top10").text
        #expect(top.contains("Top 10 torrents by peers:\n\t2\t\(InfoHash(bytes: hashBytes(20)).hex.uppercased())\n"))
        let everything = try server.client().get("/stats?mode=everything").text
        #expect(everything.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<stats>"))
        #expect(everything.contains("<peers>\n    <count>2</count>\n  </peers>"))
        #expect(try server.client().get("/stats?mode=version").text.contains(RingTrackerVersion.string))
        #expect(try server.client().get("/stats?mode=numwants").status == 400)
        #expect(try server.client().get("/stats?info_hash=x").status == 400)
        let closed = try HTTPTestServer { $0.statsAllowed = { _ in false } }
        #expect(try closed.client().get("/stats").status == 403)
        let custom = try HTTPTestServer { $0.statsPath = "/private/st" }
        #expect(try custom.client().get("/private/st?mode=torr").status == 200)
    }

    @Test("metrics expose request, drop, store and byte series; access follows the stats rule")
    func metrics() throws {
        let udp = UDPStatistics()
        let server = try HTTPTestServer(udp: [udp])
        _ = try server.client().get(announcePath(hashBytes(30), port: 1, left: 0))
        _ = try server.client().get("/announce?info_hash=%zz")
        let text = try server.client().get("/metrics").text
        for series in [
            #"ringtracker_responses_total{protocol="http",action="announce",outcome="ok",worker="#,
            #"ringtracker_responses_total{protocol="udp",action="announce",outcome="ok",worker="0"} 0"#,
            #"ringtracker_udp_drops_total{reason="bad_connection_id",worker="0"} 0"#,
            #"ringtracker_http_invalid_requests_total{reason="bad_percent_encoding"} 1"#,
            "ringtracker_torrents 1", #"ringtracker_peers{family="ipv4"} 1"#, "ringtracker_seeders 1",
            #"ringtracker_received_bytes_total{protocol="http",worker="#, #"ringtracker_build_info{version=""#,
            "# TYPE ringtracker_responses_total counter",
        ] {
            #expect(text.contains(series), "missing \(series)")
        }
        let closed = try HTTPTestServer { $0.statsAllowed = { _ in false } }
        #expect(try closed.client().get("/metrics").status == 403)
        let open = try HTTPTestServer {
            $0.statsAllowed = { _ in false }
            $0.metricsPublic = true
        }
        #expect(try open.client().get("/metrics").status == 200)
    }
}
