import Testing
import TrackerProtocol

@Suite("HTTP routing and addresses")
struct HTTPRouteTests {
    func route(_ target: String, stats: String = "stats") -> HTTPRoute {
        let (path, query) = HTTPRoute.split(target: Array(target.utf8))
        return HTTPRoute.route(path: path, query: query, statsPath: stats)
    }

    @Test("opentracker's prefix routing is kept")
    func prefixes() {
        #expect(route("/announce?info_hash=x") == .announce)
        #expect(route("/announce.php") == .announce)
        #expect(route("/a") == .announce)
        #expect(route("//announce") == .announce)
        #expect(route("/scrape?info_hash=x") == .scrape)
        #expect(route("/scrape.php?info_hash=x") == .scrape)
        #expect(route("/sc") == .scrape)
        #expect(route("/scrape") == .fullScrape)
        #expect(route("/scrape?format=txt") == .fullScrape)
        #expect(route("/stats?mode=peer") == .stats)
        #expect(route("/admin", stats: "admin") == .stats)
        #expect(route("/metrics") == .metrics)
        #expect(route("/") == .root)
        #expect(route("/favicon.ico") == .notFound)
        #expect(route("/xyz/announce") == .notFound)
        #expect(route("/%zz") == .notFound)
        #expect(route("/%61nnounce") == .announce)
    }

    @Test("stats modes parse and unknown ones are refused")
    func statsModes() {
        #expect(HTTPStatsRequest.parse(query: nil) == .mode(.peer, format: nil))
        for mode in HTTPStatsMode.allCases {
            #expect(HTTPStatsRequest.parse(query: Array("mode=\(mode.rawValue)".utf8)[...]) == .mode(mode, format: nil))
        }
        let modes = ["peer", "conn", "scrp", "udp4", "tcp4", "busy", "torr", "fscr", "s24s", "tpbs", "herr", "completed",
                     "top100", "top10", "renew", "syncs", "version", "everything", "statedump", "fulllog", "woodpeckers"]
        #expect(HTTPStatsMode.allCases.map(\.rawValue) == modes, "opentracker HEAD's keywords_mode, in its order")
        #expect(HTTPStatsRequest.parse(query: Array("mode=tpbs&format=txtp".utf8)[...]) == .mode(.tpbs, format: .txtp))
        #expect(HTTPStatsRequest.parse(query: Array("mode=tpbs&format=statedump".utf8)[...]) == .invalid(.unknownFormat))
        #expect(HTTPStatsRequest.parse(query: Array("mode=numwants".utf8)[...]) == .invalid(.unknownStatsMode))
        #expect(HTTPStatsRequest.parse(query: Array("info_hash=x".utf8)[...]) == .invalid(.infoHashOnStats))
        #expect(HTTPFullScrapeFormat.parse(query: Array("format=bin".utf8)[...]) == .format(.bin))
        #expect(HTTPFullScrapeFormat.parse(query: Array("format=xml".utf8)[...]) == .invalid(.unknownFormat))
        #expect(HTTPFullScrapeFormat.parse(query: Array("format=txt".utf8)[...]) == .format(.txt))
    }

    @Test("IPv4 and IPv6 literals parse, mapped addresses become IPv4")
    func addresses() {
        func parse(_ text: String) -> HTTPAddressLiteral? { HTTPAddressLiteral(parsing: Array(text.utf8)) }
        #expect(parse("10.9.8.7") == .v4(0x0A09_0807))
        #expect(parse(" 1.2.3.4 ") == .v4(0x0102_0304))
        #expect(parse("::1") == .v6(high: 0, low: 1))
        #expect(parse("[2001:db8::7]") == .v6(high: 0x2001_0DB8_0000_0000, low: 7))
        #expect(parse("2001:db8:0:0:0:0:0:7") == .v6(high: 0x2001_0DB8_0000_0000, low: 7))
        #expect(parse("::ffff:1.2.3.4") == .v4(0x0102_0304))
        #expect(parse("1.2.3") == nil)
        #expect(parse("256.1.1.1") == nil)
        #expect(parse("1::2::3") == nil)
        #expect(parse("unknown") == nil)
        #expect(parse("") == nil)
    }

    @Test("A dotted quad is accepted only as the last 32 bits of an IPv6 literal (RFC 4291 §2.2)")
    func embeddedIPv4OnlyAtTheEnd() {
        // Found with Tests/fuzz (http target, which compares ip= / X-Forwarded-For parsing with the
        // settings' parser): "1.2.3.4::" was read as 102:304::, a made-up address a trusted proxy's
        // header or ip= would have stored.
        func parse(_ text: String) -> HTTPAddressLiteral? { HTTPAddressLiteral(parsing: Array(text.utf8)) }
        #expect(parse("1.2.3.4::") == nil)
        #expect(parse("1.2.3.4::5") == nil)
        #expect(parse("::1.2.3.4") == .v6(high: 0, low: 0x0102_0304))
        #expect(parse("64:ff9b::192.0.2.33") == .v6(high: 0x0064_FF9B_0000_0000, low: 0xC000_0221))
        #expect(parse("0:0:0:0:0:ffff:1.2.3.4") == .v4(0x0102_0304))
    }
}
